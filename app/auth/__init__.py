"""API keys and the access guard."""
