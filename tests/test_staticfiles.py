"""Outside tests, the static files are hashed, and the ES modules import the hashed files.

A page loads `js/live.<hash>.js`; a module that imported "./live.js" unhashed would run a
second live.js beside it, with a second websocket.
"""

import hashlib
import json
import os
import posixpath
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from builder.jobs.services import job_enqueue
from builder.recipes.services import recipe_create
from tests.factories import published_recipe

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "builder.staticfiles.StaticFilesStorage"},
}
HASHED = re.compile(r"\.[0-9a-f]{12}\.js$")
# Any relative .js URL in a string: an import of whatever form names one, and so may nothing else.
RELATIVE_JS = re.compile(r"""["'](\.{1,2}/[^"'\s]+?\.js)["']""")
MODULE_SCRIPT = re.compile(r"""<script type="module" src="/static/([^"]+)">""")


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    """STATIC_ROOT after collectstatic in the environment `make run` uses (not the test one)."""
    data_dir = tmp_path_factory.mktemp("collected")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("STEPWISE_", "PYTEST_"))}
    environ.update(STEPWISE_ENV="development", STEPWISE_DATA_DIR=str(data_dir))
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return data_dir / "static"


def manifest(static_root: Path) -> dict[str, str]:
    return json.loads((static_root / "staticfiles.json").read_text())["paths"]


def our_modules(static_root: Path) -> dict[str, str]:
    return {name: hashed for name, hashed in manifest(static_root).items() if name.startswith(("editor/", "js/"))}


def test_every_module_imports_hashed_files_that_exist(collected):
    modules = our_modules(collected)
    assert {"editor/main.js", "js/job.js"} <= modules.keys()
    for name, hashed in modules.items():
        if not name.endswith(".js"):
            continue
        for url in RELATIVE_JS.findall((collected / hashed).read_text()):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(hashed), url))
            assert HASHED.search(url), f"{hashed} imports {url}, which is not a hashed file"
            assert (collected / target).is_file(), f"{hashed} imports {url}: no such file"


def test_the_rewrite_changes_only_import_urls(collected):
    """The vendored Preact is served byte for byte as pinned, and our modules only gain hashes."""
    vendor = json.loads((ROOT / "static" / "vendor" / "manifest.json").read_text())["sha256"]
    paths = manifest(collected)
    for name, pinned in vendor.items():
        assert hashlib.sha256((collected / paths[f"vendor/{name}"]).read_bytes()).hexdigest() == pinned
    for name, hashed in our_modules(collected).items():
        served = (collected / hashed).read_text()
        assert re.sub(r"\.[0-9a-f]{12}\.js\"", '.js"', served) == (ROOT / "static" / name).read_text(), name


def modules_loaded_by(page: str, static_root: Path) -> set[str]:
    """Every file (as its name under STATIC_ROOT) the browser fetches for the page's module scripts."""
    pending, loaded = MODULE_SCRIPT.findall(page), set()
    while pending:
        name = pending.pop()
        if name not in loaded:
            loaded.add(name)
            for url in RELATIVE_JS.findall((static_root / name).read_text()):
                pending.append(posixpath.normpath(posixpath.join(posixpath.dirname(name), url)))
    return loaded


def originals(loaded: set[str], static_root: Path) -> list[str]:
    """The loaded files by their source names: a name twice is a module loaded twice."""
    names = {hashed: name for name, hashed in manifest(static_root).items()}
    return sorted(names.get(path, path) for path in loaded)


@pytest.mark.django_db
def test_the_editor_and_a_job_page_load_one_live_js_all_hashed(collected, settings, personas, client, sent):
    settings.STORAGES, settings.STATIC_ROOT = PRODUCTION_STORAGES, collected
    draft = recipe_create(workspace=personas.a, definition={"format": "stepwise.recipe/1", "name": "R", "steps": []})
    definition = {"format": "stepwise.recipe/1", "name": "J", "trigger": {"kind": "manual"}, "steps": []}
    job = job_enqueue(
        recipe=published_recipe(workspace=personas.a, definition=definition),
        trigger={"body": {}},
        trigger_kind="manual",
    )
    client.force_login(personas.owner)
    # The editor reaches live.js through testrun.js, the job page through job.js; both pages load it too.
    for url, importer in [
        (reverse("recipe_edit", args=[draft.pk]), "editor/testrun.js"),
        (reverse("job_detail", args=[job.pk]), "js/job.js"),
    ]:
        loaded = modules_loaded_by(client.get(url).content.decode(), collected)
        assert all(HASHED.search(name) for name in loaded), (url, sorted(loaded))
        assert importer in originals(loaded, collected)
        assert originals(loaded, collected).count("js/live.js") == 1, (url, sorted(loaded))


def collect(source: Path, output: Path) -> None:
    with override_settings(
        STORAGES=PRODUCTION_STORAGES,
        STATICFILES_DIRS=[source],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STATIC_ROOT=output,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_every_import_form_is_rewritten(tmp_path):
    """The forms our modules use or may: long import lists formatted over lines, re-exports,
    a side-effect import and a dynamic import()."""
    write(
        tmp_path / "src",
        {
            "js/a.js": "export const a = 1, b = 2;\n",
            "js/main.js": 'import {\n  a,\n  b,\n} from "./a.js";\n'
            'import * as all from "./a.js";\n'
            'export * from "./a.js";\n'
            'export { a as c } from "./a.js";\n'
            'import "./a.js";\n'
            'const later = () => import("./a.js");\n'
            "// import the rest from elsewhere\n",
        },
    )
    collect(tmp_path / "src", tmp_path / "out")
    paths = manifest(tmp_path / "out")
    a = posixpath.basename(paths["js/a.js"])
    main = (tmp_path / "out" / paths["js/main.js"]).read_text()
    assert main == (
        f'import {{\n  a,\n  b,\n}} from "./{a}";\n'
        f'import * as all from "./{a}";\n'
        f'export * from "./{a}";\n'
        f'export {{ a as c }} from "./{a}";\n'
        f'import"./{a}";\n'
        f'const later = () => import("./{a}");\n'
        "// import the rest from elsewhere\n"
    )


def test_an_import_of_a_missing_file_fails_collectstatic(tmp_path):
    write(tmp_path / "src", {"js/job.js": 'import { subscribe } from "./liv.js";\n'})
    with pytest.raises(
        ValueError, match=r"The JS file 'js/job.js' references a file which could not be found:\s+js/liv.js"
    ):
        collect(tmp_path / "src", tmp_path / "out")
