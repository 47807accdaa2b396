"""Checks the vendored front-end files (static/vendor/), or fetches them again.

manage.py stepwise_vendor            each file on disk against its sha256 in the manifest
manage.py stepwise_vendor --fetch    each package from the npm registry, its tarball checked
                                     against the registry's integrity (SRI sha512), its files
                                     written and checked against the manifest's sha256
manage.py stepwise_vendor --fetch --pin
                                     the same, recording the files' sha256 (after a version
                                     change in the manifest, reviewed by hand)
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"
MANIFEST = VENDOR / "manifest.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def problems(vendor: Path = VENDOR) -> list[str]:
    """What is wrong with the files on disk; [] when each matches its pinned sha256."""
    manifest = json.loads((vendor / "manifest.json").read_text())
    found = []
    for package in manifest["packages"]:
        for name in package["files"].values():
            path, pinned = vendor / name, manifest["sha256"].get(name)
            if pinned is None:
                found.append(f"{name}: no sha256 pinned in the manifest")
            elif not path.exists():
                found.append(f"{name}: missing (manage.py stepwise_vendor --fetch)")
            elif sha256(path.read_bytes()) != pinned:
                found.append(f"{name}: its sha256 is not the pinned one")
    return found


def _tarball(package: dict) -> bytes:
    with urllib.request.urlopen(package["tarball"], timeout=60) as answer:  # noqa: S310 (a pinned https URL)
        data = answer.read()
    algorithm, _, expected = package["integrity"].partition("-")
    if algorithm != "sha512" or base64.b64encode(hashlib.sha512(data).digest()).decode() != expected:
        raise CommandError(f"{package['name']} {package['version']}: the tarball does not match its integrity.")
    return data


class Command(BaseCommand):
    help = "Checks the vendored front-end files against their pinned hashes, or fetches them (--fetch)."

    def add_arguments(self, parser):
        parser.add_argument("--fetch", action="store_true", help="Fetch the packages from the npm registry.")
        parser.add_argument("--pin", action="store_true", help="With --fetch: record the files' sha256.")

    def handle(self, *args, fetch=False, pin=False, **options):
        if fetch:
            self._fetch(pin=pin)
        found = problems()
        if found:
            raise CommandError("\n".join(found))
        self.stdout.write("The vendored files match their pinned hashes.")

    def _fetch(self, *, pin: bool) -> None:
        manifest = json.loads(MANIFEST.read_text())
        for package in manifest["packages"]:
            with tarfile.open(fileobj=io.BytesIO(_tarball(package)), mode="r:gz") as archive:
                for member, name in package["files"].items():
                    data = archive.extractfile(member).read()
                    pinned = manifest["sha256"].get(name)
                    if pin:
                        manifest["sha256"][name] = sha256(data)
                    elif pinned != sha256(data):
                        raise CommandError(f"{name}: the fetched file does not match its pinned sha256.")
                    (VENDOR / name).parent.mkdir(parents=True, exist_ok=True)
                    (VENDOR / name).write_bytes(data)
                    self.stdout.write(f"{package['name']} {package['version']}: {member} -> static/vendor/{name}")
        if pin:
            MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")
