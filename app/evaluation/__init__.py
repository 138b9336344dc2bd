"""Measure any extractor on a newsroom's own gold data (`parley eval`)."""
