"""The access log never holds a credential: no query string on published endpoints and webhooks,
no webhook token, no credential parameter elsewhere."""

import pytest

from builder.accesslog import REDACTED, logged_target


@pytest.mark.parametrize(
    ("target", "shown"),
    [
        ("/apim/people/v1/greetings?api_key=swk_SECRET&x=1", "/apim/people/v1/greetings"),
        ("/hooks/AbCdEfGhSECRETTOKEN/?source=crm", f"/hooks/AbCd{REDACTED}/"),
        ("/hooks/test/AbCdEfGhSECRETTOKEN/", f"/hooks/test/AbCd{REDACTED}/"),
        ("/hooks/AbCdEfGhSECRETTOKEN", f"/hooks/AbCd{REDACTED}"),
        ("/api/jobs/?status=failed&token=sw_SECRET", f"/api/jobs/?status=failed&token={REDACTED}"),
        ("/login/?next=/recipes/&password=SECRET", f"/login/?next=/recipes/&password={REDACTED}"),
        ("/api/calls/?Access_Token=SECRET", f"/api/calls/?Access_Token={REDACTED}"),
        ("/recipes/", "/recipes/"),
    ],
)
def test_what_the_log_shows(target, shown):
    assert logged_target(target) == shown
    assert "SECRET" not in logged_target(target)


def test_an_absolute_form_target_is_shown_as_its_path():
    assert logged_target("http://127.0.0.1:8000/hooks/AbCdSECRET/?x=1") == f"/hooks/AbCd{REDACTED}/"
    assert logged_target("http://h/apim/p/v1/x?api_key=SECRET") == "/apim/p/v1/x"
