"""Finds the connectors: each package in `connectors/`, and every installed package that
declares one under the `stepwise.connectors` entry point group.

    [project.entry-points."stepwise.connectors"]
    acme = "stepwise_acme:connector"
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from importlib.metadata import entry_points

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

import connectors
from connectors.sdk import Connector

ENTRY_POINT_GROUP = "stepwise.connectors"


class RegistryError(Exception):
    """A connector cannot be loaded: two with one name, or a broken declaration."""


def _builtin() -> list[tuple[str, Connector]]:
    found = []
    for module in pkgutil.iter_modules(connectors.__path__):
        if module.ispkg:
            package = importlib.import_module(f"connectors.{module.name}")
            if isinstance(getattr(package, "connector", None), Connector):
                found.append((f"connectors.{module.name}", package.connector))
    return found


def _installed() -> list[tuple[str, Connector]]:
    found = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        loaded = entry.load()
        connector = getattr(loaded, "connector", loaded)
        if not isinstance(connector, Connector):
            raise RegistryError(f"Entry point {entry.name} = {entry.value} is not a stepwise Connector.")
        found.append((f"{entry.value} (entry point)", connector))
    return found


def _check_schemas(connector: Connector) -> None:
    schemas = [(f"{a.key} input", a.input_schema) for a in connector.actions]
    schemas += [(f"{a.key} output", a.output_schema) for a in connector.actions]
    schemas += [(f"{t.key} input", t.input_schema) for t in connector.triggers]
    schemas += [(f"{t.key} item", t.item_schema) for t in connector.triggers]
    for label, schema in schemas:
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            raise RegistryError(f"Connector {connector.name}: the {label} schema is invalid: {exc.message}") from exc


def build(sources: list[tuple[str, Connector]]) -> dict[str, Connector]:
    registry: dict[str, Connector] = {}
    origins: dict[str, str] = {}
    for origin, connector in sources:
        if connector.name in registry:
            raise RegistryError(
                f"Two connectors are named {connector.name!r}: {origins[connector.name]} and {origin}. "
                "Rename one of them or uninstall the package that brings it."
            )
        _check_schemas(connector)
        registry[connector.name] = connector
        origins[connector.name] = origin
    return dict(sorted(registry.items()))


@functools.cache
def registry() -> dict[str, Connector]:
    """All connectors by name; loaded once per process."""
    return build(_builtin() + _installed())


def get_connector(name: str) -> Connector | None:
    return registry().get(name)
