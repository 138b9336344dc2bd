"""The LLM extractor: an OpenAI-compatible model, validated by instructor, grounded in the text.

Grounding runs inside validation: a record none of whose evidence quotes can be located in the
article makes the answer invalid once, and instructor re-asks with the missing quotes named. On
the last attempt (or after that one grounding re-ask) such records are dropped and reported
instead of failing the article; quotes that cannot be located are removed from kept records,
and located quotes are replaced by the article's own text of that span.

The per-call state travels in a ContextVar, not in instructor's `context`: instructor renders
the messages as Jinja templates when given a context, which would rewrite article text.
"""

import json
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal, Self

import instructor
import openai
from instructor import OpenAISchema
from instructor.core.exceptions import IncompleteOutputException, ResponseParsingError
from instructor.processing.response import (
    handle_reask_kwargs,
    handle_response_model,
    process_response,
)
from openai.types.chat import ChatCompletion
from pydantic import ConfigDict, ValidationError, model_validator

from app.config import Settings
from app.errors import ExtractionError
from app.extraction.chunking import merge, split
from app.extraction.contract import (
    ArticleInput,
    Dropped,
    ExtractedRecord,
    ExtractionAnswer,
    ExtractionResult,
    Usage,
)
from app.extraction.grounding import TextIndex
from app.extraction.llm_errors import not_validated, to_extraction_error
from app.extraction.prompts import Part, Prompt, load_prompt
from app.extraction.vocabulary import ExtractorName

PROMPT_VERSION = "extract-v1"
NOT_FOUND = "evidence not found in article"
# Local servers (Ollama, vLLM) ignore the key, but the SDK refuses to start without one.
NO_KEY_PLACEHOLDER = "not-needed"
# Answers instructor re-asks about (its retry loop's own list, less async validators: ours has
# none); any other parsing failure ends the extraction at once, as it does there.
REASKABLE = (ValidationError, json.JSONDecodeError, ResponseParsingError)
MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "md_json": instructor.Mode.MD_JSON,
}


@dataclass
class _Call:
    """What one chunk's call (with its re-asks) needs and accumulates."""

    index: TextIndex
    max_attempts: int
    usage: Usage
    dropped: list[Dropped]
    responses: int = 0
    grounding_reasked: bool = False

    def on_response(self, response: Any) -> None:
        """Count each completion and its tokens (re-asks included), before instructor sums."""
        self.responses += 1
        usage = getattr(response, "usage", None)
        self.usage.add(
            Usage(
                prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
                completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
                calls=1,
            )
        )

    @property
    def may_reask(self) -> bool:
        """Grounding may re-ask once, and never on the last attempt."""
        return not self.grounding_reasked and self.responses < self.max_attempts


_CALL: ContextVar[_Call | None] = ContextVar("parley_llm_call", default=None)


class GroundedExtraction(ExtractionAnswer, OpenAISchema):
    """Every negotiation, ceasefire, surrender, prisoner exchange and peace agreement
    development the article reports, each with verbatim evidence quotes."""

    # OpenAISchema as a base: instructor takes the class as it is, so its tool schema is made
    # once per process (instructor caches it per class); given a plain model, instructor
    # derives a new class on every call and builds the JSON schema again (~7 ms of CPU).

    model_config = ConfigDict(extra="ignore", title="Extraction")

    @model_validator(mode="after")
    def _grounded(self) -> Self:
        call = _CALL.get()
        if call is None:
            return self
        grounded = [(record, *call.index.ground(record.evidence)) for record in self.records]
        unfounded = [record for record, found, _ in grounded if not found]
        if unfounded and call.may_reask:
            call.grounding_reasked = True
            raise ValueError(_reask_message(unfounded))
        kept: list[ExtractedRecord] = []
        for record, found, _missing in grounded:
            if not found:
                call.dropped.append(Dropped(record.kind, NOT_FOUND, list(record.evidence)))
                continue
            spans = dict.fromkeys(call.index.text[q.start : q.end] for q in found)
            # A model's own confidence is not calibrated: the LLM path leaves it null.
            kept.append(record.model_copy(update={"evidence": list(spans), "confidence": None}))
        self.records = kept
        return self


def _reask_message(unfounded: list[ExtractedRecord]) -> str:
    quotes = [f'- "{q}"' for record in unfounded for q in record.evidence]
    return (
        "Evidence must be copied verbatim from the article text. These quotes do not occur in "
        "the article:\n" + "\n".join(quotes) + "\nReplace them with exact quotes from the "
        "article, or leave out records the article does not support."
    )


def build_openai_client(settings: Settings) -> openai.AsyncOpenAI:
    """The AsyncOpenAI client for the configured endpoint (OpenAI, Azure, vLLM, Ollama ...)."""
    return openai.AsyncOpenAI(
        api_key=settings.openai_api_key or NO_KEY_PLACEHOLDER,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_sdk_retries,
    )


@dataclass
class _Tally:
    usage: Usage = field(default_factory=Usage)
    dropped: list[Dropped] = field(default_factory=list)


class LLMExtractor:
    """Extracts records with an LLM through instructor; see the module docstring."""

    name: Literal["llm"] = "llm"

    def __init__(self, settings: Settings, client: openai.AsyncOpenAI) -> None:
        self._settings = settings
        self._openai = client
        self._mode = MODES[settings.llm_mode]
        self.prompt: Prompt = load_prompt(PROMPT_VERSION)
        self._template = self._request_template()

    def _request_template(self) -> dict[str, Any] | None:
        """What every request carries but its messages (model, tool schema or response format,
        token limit), built once; None in a mode that rewrites the messages (md_json)."""
        placeholder = [{"role": "user", "content": "-"}]
        _, body = handle_response_model(
            GroundedExtraction,
            mode=self._mode,
            model=self._settings.llm_model,
            messages=list(placeholder),
            max_tokens=self._settings.llm_max_tokens,
        )
        if body["messages"] != placeholder:
            return None
        return {key: value for key, value in body.items() if key != "messages"}

    async def extract(self, article: ArticleInput) -> ExtractionResult:
        """Extract the records of one article, chunk by chunk; raises `ExtractionError`."""
        self._require_endpoint()
        settings = self._settings
        chunks = split(article.text, settings.chunk_chars, settings.chunk_overlap_chars)
        index = TextIndex(article.text)
        tally = _Tally()
        found: list[list[ExtractedRecord]] = []
        for number, chunk in enumerate(chunks, start=1):
            part = Part(number, len(chunks))
            found.append(await self._extract_chunk(article, chunk.text, part, index, tally))
        return ExtractionResult(
            records=merge(found),
            extractor=ExtractorName.LLM,
            model=settings.llm_model,
            prompt_version=self.prompt.version,
            usage=tally.usage,
            dropped=tally.dropped,
        )

    async def _extract_chunk(
        self, article: ArticleInput, text: str, part: Part, index: TextIndex, tally: _Tally
    ) -> list[ExtractedRecord]:
        attempts = self._settings.llm_reasks + 1
        call = _Call(index, attempts, tally.usage, tally.dropped)
        token = _CALL.set(call)
        try:
            return await self._ask(self.request_body(article, text, part), call, attempts)
        finally:
            _CALL.reset(token)

    async def _ask(self, body: dict[str, Any], call: _Call, attempts: int) -> list[ExtractedRecord]:
        """Call the model and parse its answer with instructor, re-asking (instructor's own
        re-ask messages) while the answer does not validate; raises `ExtractionError`.

        The SDK is called on its raw route with a body built once per chunk: going through
        `instructor.create` rebuilt the request and re-walked the response model on every
        call, and the SDK's typed `create` transformed the whole body again (a third of the
        call's CPU with an instant endpoint). Retries of failed HTTP calls stay the SDK's."""
        for attempt in range(1, attempts + 1):
            try:
                response = await self._openai.post(
                    "/chat/completions", cast_to=ChatCompletion, body=body
                )
            except openai.OpenAIError as exc:
                raise to_extraction_error(exc) from exc
            call.on_response(response)
            try:
                # Strict, as instructor's create validates: "3" is not a round number.
                result = process_response(
                    response,
                    response_model=GroundedExtraction,
                    stream=False,
                    mode=self._mode,
                    strict=True,
                )
                return list(result.records)
            except IncompleteOutputException as exc:
                raise to_extraction_error(exc) from exc
            except REASKABLE as exc:
                if attempt == attempts:
                    raise not_validated(attempt, exc) from exc
                body = handle_reask_kwargs(body, self._mode, response, exc)
            except Exception as exc:  # what instructor would not re-ask either
                raise not_validated(attempt, exc) from exc
        raise AssertionError("unreachable: the last attempt returns or raises")

    def request_body(self, article: ArticleInput, text: str, part: Part) -> dict[str, Any]:
        """The chat completion request for one chunk (its first attempt), as a JSON body: the
        same model, prompt, schema and token limit on the synchronous and the batch path."""
        messages = self.prompt.messages(article, text, part)
        if self._template is not None:
            return {**self._template, "messages": messages}
        _, body = handle_response_model(
            GroundedExtraction,
            mode=self._mode,
            model=self._settings.llm_model,
            messages=messages,
            max_tokens=self._settings.llm_max_tokens,
        )
        return body

    def read_answer(
        self, completion: dict[str, Any], index: TextIndex, usage: Usage, dropped: list[Dropped]
    ) -> list[ExtractedRecord]:
        """Validate and ground one chunk's answer (a chat completion as JSON) as the synchronous
        path does its first response: where that would re-ask, this raises `ExtractionError`.
        Tokens are added to `usage` and dropped records to `dropped` either way."""
        mode = MODES[self._settings.llm_mode]
        call = _Call(index, self._settings.llm_reasks + 1, usage, dropped)
        token = _CALL.set(call)
        try:
            response = ChatCompletion.model_validate(completion)
            call.on_response(response)
            result = process_response(
                response, response_model=GroundedExtraction, stream=False, mode=mode, strict=True
            )
        except (ValidationError, IncompleteOutputException, ValueError, AttributeError) as exc:
            raise ExtractionError(f"invalid answer: {exc}"[:500], transient=False) from exc
        finally:
            _CALL.reset(token)
        return list(result.records)

    def _require_endpoint(self) -> None:
        if not (self._settings.openai_api_key or self._settings.openai_base_url):
            raise ExtractionError(
                "No LLM endpoint is configured: set OPENAI_API_KEY (OpenAI), or OPENAI_BASE_URL "
                "for an OpenAI-compatible server such as Ollama or vLLM, or choose the rule-based "
                "extractor with PARLEY_EXTRACTOR=rules.",
                transient=False,
            )
