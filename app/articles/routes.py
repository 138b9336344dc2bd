"""POST /v1/articles, POST /v1/articles/bulk, GET /v1/articles/{id},
POST /v1/articles/{id}/retry."""

import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.types import Receive, Scope, Send

from app.articles.accept import new_article, submit
from app.articles.backlog import QueueRoom
from app.articles.bulk import Outcome, Stopped, accept_ndjson
from app.articles.mapping import article_out
from app.articles.schemas import Accepted, ArticleIn, ArticleOut
from app.articles.status import get_article, requeue_failed
from app.articles.tables import ArticleStatus
from app.errors import PayloadTooLarge
from app.http.deps import ResourceId, ServicesDep, SessionDep, SettingsDep, UnitDep
from app.http.errors import GUARDED, error_responses

router = APIRouter(prefix="/v1/articles", tags=["articles"], responses=error_responses(*GUARDED))


@router.post(
    "",
    status_code=202,
    response_model=Accepted,
    responses={
        200: {"model": ArticleOut, "description": "Already known: the existing article."},
        **error_responses(400, 413),
    },
)
def post_article(
    payload: ArticleIn, unit: UnitDep, settings: SettingsDep, _room: QueueRoom
) -> JSONResponse:
    """Accept an article (its text, or a URL to fetch); the same text or URL twice is one."""
    article, created = submit(unit, new_article(payload, settings))
    unit.commit()
    if not created:
        body = article_out(unit.session, article).model_dump(mode="json")
        return JSONResponse(body, status_code=200)
    assert article.id is not None
    accepted = Accepted(id=article.id, status=ArticleStatus.QUEUED)
    return JSONResponse(accepted.model_dump(mode="json"), status_code=202)


@router.get("/{article_id}", response_model=ArticleOut, responses=error_responses(404))
def read_article(article_id: ResourceId, session: SessionDep) -> ArticleOut:
    """An article, its status, stored text and records."""
    return article_out(session, get_article(session, article_id))


@router.post(
    "/{article_id}/retry",
    status_code=202,
    response_model=Accepted,
    responses=error_responses(404, 409),
)
def retry_article(article_id: ResourceId, unit: UnitDep) -> Accepted:
    """Queue a failed article again."""
    requeue_failed(unit, article_id)
    unit.commit()
    return Accepted(id=article_id, status=ArticleStatus.QUEUED)


BULK_PATH = "/v1/articles/bulk"
NDJSON = "application/x-ndjson"
_BULK_BODY = {
    "required": True,
    "content": {NDJSON: {"schema": {"$ref": "#/components/schemas/ArticleIn"}}},
    "description": "One article per line, each line a `POST /v1/articles` body.",
}
_BULK_ANSWER = {
    "description": "One result per non-blank line, in order: "
    '`{"line", "result": "created"|"duplicate", "id"}` or `{"line", "result": "invalid", '
    '"error"}`; a last line `{"error": {"code", "message", "details": {"next_line"}}}` when '
    "the upload stopped before its end.",
    "content": {NDJSON: {}},
}


class DuplexStream(StreamingResponse):
    """An answer streamed while the request body is still being read. Starlette's own waits on
    `receive` for a disconnect meanwhile, which would take the body's chunks from the route."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.stream_response(send)


async def _ndjson(
    first: list[Outcome | Stopped], rest: AsyncIterator[list[Outcome | Stopped]]
) -> AsyncIterator[bytes]:
    yield _lines(first)
    async for batch in rest:
        yield _lines(batch)


def _lines(batch: list[Outcome | Stopped]) -> bytes:
    return "".join(json.dumps(item.as_json()) + "\n" for item in batch).encode()


@router.post(
    "/bulk",
    response_class=DuplexStream,
    responses={200: _BULK_ANSWER, **error_responses(413, 503)},
    openapi_extra={"requestBody": _BULK_BODY},
)
async def post_bulk(request: Request, services: ServicesDep, _room: QueueRoom) -> Response:
    """Accept articles in bulk, one JSON payload per line (NDJSON), read as it arrives; the
    answer streams back one result per line. A stream cut short (PARLEY_BULK_MAX_BYTES, a full
    queue) keeps the lines accepted before it and ends with an error line."""
    limit = services.settings.bulk_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the request body exceeds {limit} bytes (PARLEY_BULK_MAX_BYTES)")
    batches = accept_ndjson(request.stream(), services)
    first: list[Outcome | Stopped] = await anext(batches, [])
    if first and isinstance(first[0], Stopped):
        raise first[0].error  # nothing was accepted: a plain 413 or 503
    return DuplexStream(_ndjson(first, batches), media_type=NDJSON)
