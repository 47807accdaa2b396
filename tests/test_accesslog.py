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
