"""The relevance gate: can an article contain any record at all? (cheap, no model)"""

from app.extraction.rules.lexicon import load_lexicon


def is_relevant(text: str, title: str | None = None) -> bool:
    """Whether the title or text names any record kind's trigger (talks, ceasefire, swap...)."""
    triggers = load_lexicon().any_trigger
    return any(triggers.found_in(part) for part in (title, text) if part)
