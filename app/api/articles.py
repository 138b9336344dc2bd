"""POST /v1/articles, GET /v1/articles/{id}, POST /v1/articles/{id}/retry."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlmodel import Session, col, select

from app import jobs
from app.api.deps import ResourceId, SessionDep, SettingsDep
from app.api.errors import GUARDED, error_responses
from app.api.records import records_out, usage_out
from app.articles import accept, as_utc, get_article, requeue_failed, text_fingerprint
from app.config import Settings
from app.errors import PayloadTooLarge
from app.fetching.client import validate_url
from app.fetching.policy import FetchPolicy
from app.ingest.canonical import canonical_url
from app.models import Article, Extraction, Record
from app.schemas import Accepted, ArticleIn, ArticleOut, DroppedOut, ExtractionOut

router = APIRouter(prefix="/v1/articles", tags=["articles"], responses=error_responses(*GUARDED))


def extraction_out(extraction: Extraction) -> ExtractionOut:
    """The API shape of an extraction run."""
    return ExtractionOut(
        extractor=extraction.extractor,
        model=extraction.model,
        prompt_version=extraction.prompt_version,
        usage=usage_out(extraction),
        records_dropped=extraction.records_dropped,
        dropped=[DroppedOut.model_validate(d) for d in extraction.drop_reasons],
        skipped_by_relevance_gate=extraction.skipped_by_gate,
    )


def article_out(session: Session, article: Article) -> ArticleOut:
    """The API shape of an article with its records."""
    extraction = session.exec(
        select(Extraction)
        .where(Extraction.article_id == article.id)
        .order_by(col(Extraction.id).desc())
    ).first()
    records = session.exec(
        select(Record).where(Record.article_id == article.id).order_by(col(Record.seq))
    ).all()
    return ArticleOut.model_validate(
        {
            **article.model_dump(),
            "extraction": extraction_out(extraction) if extraction else None,
            "records": records_out(session, records),
        }
    )


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
def post_article(payload: ArticleIn, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """Accept an article (its text, or a URL to fetch); the same text or URL twice is one."""
    if payload.text is not None and len(payload.text) > settings.max_text_chars:
        raise PayloadTooLarge(
            f"text is {len(payload.text)} characters; the limit is {settings.max_text_chars}"
        )
    article, created = accept(session, _new_article(payload, settings))
    session.commit()
    if not created:
        return JSONResponse(article_out(session, article).model_dump(mode="json"), status_code=200)
    jobs.enqueue(article)
    assert article.id is not None
    return JSONResponse(Accepted(id=article.id, status="queued").model_dump(), status_code=202)


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
def retry_article(article_id: ResourceId, session: SessionDep) -> Accepted:
    """Queue a failed article again."""
    article = requeue_failed(session, article_id)
    session.commit()
    jobs.enqueue(article)
    return Accepted(id=article_id, status="queued")
