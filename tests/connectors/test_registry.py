import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from connectors.registry import RegistryError, build, registry
from connectors.sdk import Action, Connector

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = {"data", "email", "http", "moveworks", "scheduler", "slack", "webhooks"}


def test_every_builtin_connector_is_found():
    assert BUILTIN <= set(registry())


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_every_schema_is_valid_json_schema(name):
    described = registry()[name].describe()
    schemas = [a[key] for a in described["actions"] for key in ("input_schema", "output_schema")]
    schemas += [t[key] for t in described["triggers"] for key in ("input_schema", "item_schema")]
    assert schemas
    for schema in schemas:
        Draft202012Validator.check_schema(schema)


def test_two_connectors_with_one_name_is_a_clear_error():
    one = Connector(name="dup", title="One", description="", category="x")
    with pytest.raises(RegistryError, match="Two connectors are named 'dup': first and second"):
        build([("first", one), ("second", one)])


def test_a_broken_schema_is_refused_at_load():
    broken = Action(key="a", title="A", description="", input_schema={"type": "nonsense"}, output_schema={},
                    run=lambda ctx, input: {})  # fmt: skip
    with pytest.raises(RegistryError, match="a input schema is invalid"):
        build([("here", Connector(name="bad", title="Bad", description="", category="x", actions=(broken,)))])


def test_a_pip_installed_connector_is_found_through_its_entry_point(tmp_path):
    source = shutil.copytree(Path(__file__).parent / "echo_package", tmp_path / "src")
    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    probe = (
        "from connectors.registry import registry; from connectors.testkit import run; r = registry(); "
        "print(sorted(r)); print(run(r['echo'], 'say', connection={'prefix': '>'}, input={'text': 'hi'}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={"PYTHONPATH": f"{target}:{ROOT}", "PATH": "/usr/bin:/bin"})  # fmt: skip
    assert result.returncode == 0, result.stderr
    names, output = result.stdout.splitlines()
    assert "echo" in names
    assert output == "{'echo': 'hi', 'prefix': '>'}"
