"""The vendored front-end files are the pinned ones (checked offline; fetching is manual)."""

import shutil

from builder.ops.management.commands.stepwise_vendor import VENDOR, problems


def test_every_vendored_file_matches_its_pinned_hash():
    assert problems() == []


def test_a_changed_or_missing_file_is_named(tmp_path):
    copy = tmp_path / "vendor"
    shutil.copytree(VENDOR, copy)
    (copy / "htm-preact-standalone.module.js").write_text("export const html = () => 'not preact';")
    (copy / "preact.LICENSE").unlink()
    assert problems(copy) == [
        "htm-preact-standalone.module.js: its sha256 is not the pinned one",
        "preact.LICENSE: missing (manage.py stepwise_vendor --fetch)",
    ]
