"""Offline rules extractor (`PARLEY_EXTRACTOR=rules`)."""

from app.extraction.rules.extractor import RulesExtractor

__all__ = ["RulesExtractor"]
