"""What every extractor (LLM or rules) offers the pipeline."""

from typing import Literal, Protocol

from app.extraction.contract import ArticleInput, ExtractionResult


class Extractor(Protocol):
    """Reads one article and returns its records; raises `ExtractionError` on failure."""

    @property
    def name(self) -> Literal["llm", "rules"]:
        """Which kind of extractor this is, recorded with every extraction."""
        ...

    async def extract(self, article: ArticleInput) -> ExtractionResult:
        """Extract the records of one article."""
        ...
