"""The Stepwise version: what a template's self-test says it last passed on. Kept equal to
pyproject.toml's (a test checks)."""

VERSION = "0.13.0"
