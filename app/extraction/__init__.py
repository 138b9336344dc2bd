"""Turning article text into records: the contract, the extractors, grounding and chunking."""
