"""The offline extractor: lexicons and patterns, no network, no model."""

from typing import Literal

from app.extraction.rules.assembly import article_context, assemble
from app.extraction.rules.entities import find_mentions
from app.extraction.rules.lexicon import load_lexicon
from app.extraction.rules.reading import read_drafts
from app.extraction.schemas import ArticleInput, ExtractionResult

PROMPT_VERSION = "rules-v1"


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

    def extract_sync(self, article: ArticleInput) -> ExtractionResult:
        """Extract the records of one article synchronously; each quote is one of its sentences."""
        published = article.published_at.date() if article.published_at else None
        drafts = read_drafts(article.text, published, self._lexicon)
        title_mentions = find_mentions(article.title, self._lexicon) if article.title else []
        records = assemble(drafts, article_context(drafts, title_mentions))
        return ExtractionResult(
            records=records, extractor="rules", model=None, prompt_version=PROMPT_VERSION
        )
