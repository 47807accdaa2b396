"""Built-in connectors: one package each. See docs/connectors.md and connectors/sdk.py."""
