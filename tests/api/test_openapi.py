from django.core.management import call_command


def test_the_openapi_file_generates_without_warnings(tmp_path):
    # Fails on any warning, so that every endpoint stays documented with its types.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/recipes/{id}/versions/{number}/restore/" in (tmp_path / "schema.yaml").read_text()
