"""builder/apiplatform/paths.py: the pattern the OpenAPI file gives for an endpoint's path
allows exactly what path_problem allows."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.apiplatform.paths import PATH_PATTERN, path_problem


@pytest.mark.parametrize(
    "path",
    ["/", "/tickets", "/tickets/{id}", "/a.b/~c/{_x9}", "/_jobsx", "/openapi.json.bak", "/v1/openapi.json",
     "tickets", "//tickets", "///", "/a//b", "/tickets/", "/_jobs", "/_jobs/1", "/openapi.json", "/{id}/{id}",
     "/{id}/x/{id}", "/{1x}", "/a b", "/" + "a" * 299, "/" + "a" * 300, "/tickets/{" + "n" * 65 + "}"],
)  # fmt: skip
def test_the_pattern_and_the_check_agree(path):
    assert (re.fullmatch(PATH_PATTERN, path) is not None) == (path_problem(path) is None), path


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="/{}ab_1.~-", max_size=40))
def test_they_agree_on_any_path(path):
    assert (re.fullmatch(PATH_PATTERN, path) is not None) == (path_problem(path) is None), path
