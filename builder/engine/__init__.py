"""The recipe engine: runs a definition. Pure Python, no Django, no HTTP of its own:
connectors do the calls and a recorder hears about every step."""
