"""POST /v1/articles, GET /v1/articles/{id}, POST /v1/articles/{id}/retry."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.articles.accept import submit, text_fingerprint
from app.articles.backlog import QueueRoom
from app.articles.mapping import article_out
from app.articles.schemas import Accepted, ArticleIn, ArticleOut
from app.articles.status import get_article, requeue_failed
from app.articles.tables import Article, ArticleStatus
from app.config import Settings
from app.db.types import as_utc
from app.errors import PayloadTooLarge
from app.fetching.canonical import canonical_url
from app.fetching.client import validate_url
from app.fetching.policy import FetchPolicy
from app.http.deps import ResourceId, SessionDep, SettingsDep, UnitDep
from app.http.errors import GUARDED, error_responses

router = APIRouter(prefix="/v1/articles", tags=["articles"], responses=error_responses(*GUARDED))


def _new_article(payload: ArticleIn, settings: Settings) -> Article:
    canonical = None
    if payload.url is not None:
        validate_url(payload.url, FetchPolicy.from_settings(settings))
        canonical = canonical_url(payload.url)
    text = payload.text
    return Article(
        text=text,
        text_hash=text_fingerprint(text) if text else None,
        title=payload.title,
        url=payload.url,
        canonical_url=canonical,
        source=payload.source,
        published_at=as_utc(payload.published_at),
        extraction_mode=payload.mode,
    )


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
    if payload.text is not None and len(payload.text) > settings.max_text_chars:
        raise PayloadTooLarge(
            f"text is {len(payload.text)} characters; the limit is {settings.max_text_chars}"
        )
    article, created = submit(unit, _new_article(payload, settings))
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
