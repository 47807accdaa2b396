"""builder/connections/forms.py: the URL pattern the OpenAPI file gives for a connector's URL
field makes only URLs the check accepts."""

from django.core.validators import URLValidator
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.connections.forms import URL_PATTERN


@settings(max_examples=300, deadline=None)
@given(st.from_regex(URL_PATTERN, fullmatch=True))
def test_every_url_the_pattern_makes_is_accepted(url):
    URLValidator(schemes=["http", "https"])(url)
