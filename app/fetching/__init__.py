"""Fetching URLs for strangers without becoming an SSRF proxy: guard, limits, redirects."""
