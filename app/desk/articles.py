"""Pages of articles and records: an article's text with every record's evidence marked, its
records and where its extraction stands (a failed one can be retried); one record with its
evidence in context, what a reviewer can do with it, and its history."""

from fastapi import APIRouter, Depends, Request, Response
from sqlmodel import Session

from app.articles.mapping import article_out
from app.articles.status import get_article, recent_articles, requeue_failed
from app.articles.tables import ArticleStatus
from app.auth.keys import Scope
from app.desk.highlight import Span, in_context, paragraphs
from app.desk.render import DeskRoute, page, redirect
from app.desk.session import FormDep, UserDep, current_user
from app.errors import NotFound
from app.http.deps import ResourceId, SessionDep, UnitDep
from app.records.mapping import records_out
from app.records.schemas import RecordOut
from app.records.tables import Record
from app.review.history import history
from app.review.tables import Subject

router = APIRouter(
    route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(current_user)]
)
RECENT = 100


def _spans(records: list[RecordOut]) -> list[Span]:
    return [Span(e.start, e.end, r.id) for r in records for e in r.evidence]


@router.get("/desk/articles")
def articles_page(request: Request, session: SessionDep) -> Response:
    """The latest articles and where each one's extraction stands (`?status=failed`)."""
    status = request.query_params.get("status", "")
    known = status if status in {s.value for s in ArticleStatus} else None
    articles = recent_articles(session, ArticleStatus(known) if known else None, RECENT)
    return page(request, "articles.html", articles=articles, status=known or "")


@router.get("/desk/articles/{article_id}")
def article_page(article_id: ResourceId, request: Request, session: SessionDep) -> Response:
    """An article: its text with every record's evidence marked, its records, its status."""
    article = article_out(session, get_article(session, article_id))
    text = article.text or ""
    marked = paragraphs(text, _spans(article.records))
    return page(request, "article.html", article=article, paragraphs=marked)


@router.post("/desk/articles/{article_id}/retry")
def retry_article(article_id: ResourceId, user: UserDep, form: FormDep, unit: UnitDep) -> Response:
    """Queue a failed article again (needs the ingest scope)."""
    user.require(Scope.INGEST)
    requeue_failed(unit, article_id)
    unit.commit()
    return redirect(f"/desk/articles/{article_id}")


def record_shape(session: Session, record_id: int) -> RecordOut:
    """A record in its API shape, or a 404 page."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFound(f"There is no record {record_id}.")
    return records_out(session, [record])[0]


@router.get("/desk/records/{record_id}")
def record_page(record_id: ResourceId, request: Request, session: SessionDep) -> Response:
    """A record: its fields, its evidence in context, the reviewer's actions, its history."""
    record = record_shape(session, record_id)
    article = get_article(session, record.article_id)
    text = article.text or ""
    quotes = [(e.quote, in_context(text, Span(e.start, e.end, record.id))) for e in record.evidence]
    changes = history(session, Subject.RECORD, record_id)
    return page(
        request, "record.html", record=record, article=article, quotes=quotes, changes=changes
    )
