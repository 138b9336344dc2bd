"""The offline extractor: lexicons and patterns, no network, no model."""

from typing import Literal

from app.extraction.contract import ArticleInput, ExtractionResult
from app.extraction.rules.assembly import assemble
from app.extraction.rules.entities import Mention, find_mentions
from app.extraction.rules.lexicon import load_lexicon
from app.extraction.rules.reading import read_article
from app.extraction.rules.sentences import split_sentences
from app.extraction.rules.sides import article_context
from app.extraction.vocabulary import ExtractorName

PROMPT_VERSION = "rules-v2"
_LEAD_SENTENCES = 2


class RulesExtractor:
    """Deterministic extractor built on trigger, status and role lexicons (SPEC §1 records)."""

    name: Literal["rules"] = "rules"
    model: str | None = None
    prompt_version: str = PROMPT_VERSION

    def __init__(self) -> None:
        self._lexicon = load_lexicon()

    async def extract(self, article: ArticleInput) -> ExtractionResult:
        """Extract the records of one article (no I/O; runs inline)."""
        return self.extract_sync(article)

    def _lead_mentions(self, article: ArticleInput) -> list[Mention]:
        """Names in the title and opening sentences: whose conflict the article is about."""
        lead = [s.text for s in split_sentences(article.text)[:_LEAD_SENTENCES]]
        parts = [article.title, *lead] if article.title else lead
        return [m for part in parts for m in find_mentions(part, self._lexicon)]

    def extract_sync(self, article: ArticleInput) -> ExtractionResult:
        """Extract the records of one article synchronously; each quote is one of its sentences."""
        published = article.published_at.date() if article.published_at else None
        reading = read_article(article.text, published, self._lexicon)
        notes = [note.third_parties for note in reading.notes]
        context = article_context(reading.drafts, notes, self._lead_mentions(article))
        records = assemble(reading, context)
        return ExtractionResult(
            records=records,
            extractor=ExtractorName.RULES,
            model=None,
            prompt_version=PROMPT_VERSION,
        )
