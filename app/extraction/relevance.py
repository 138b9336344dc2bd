"""The relevance gate: can an article contain any record at all? (cheap, no model)"""

from app.extraction.rules.lexicon import load_lexicon


def is_relevant(text: str, title: str | None = None) -> bool:
    """Whether the title or text names any record kind's trigger (talks, ceasefire, swap...)."""
    pattern = load_lexicon().any_trigger
    return any(pattern.search(part) is not None for part in (title, text) if part)
