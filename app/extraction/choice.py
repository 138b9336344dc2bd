"""The extractor the settings ask for, and the LLM client it needs."""

from openai import AsyncOpenAI

from app.config import Settings
from app.extraction.protocol import Extractor


def build_extractor(settings: Settings, client: AsyncOpenAI | None) -> Extractor:
    """The configured extractor; the LLM one calls through `client`."""
    if settings.extractor == "rules":
        from app.extraction.rules import RulesExtractor

        return RulesExtractor()
    from app.extraction.llm import LLMExtractor

    assert client is not None, "the LLM extractor needs a client"
    return LLMExtractor(settings, client)


def build_client(settings: Settings) -> AsyncOpenAI | None:
    """The OpenAI-compatible client, when the settings choose the LLM extractor."""
    if settings.extractor != "llm":
        return None
    from app.extraction.llm import build_openai_client

    return build_openai_client(settings)
