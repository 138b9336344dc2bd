"""Stored articles to their API shapes."""

from sqlmodel import Session, col, select

from app.articles.schemas import ArticleOut, DroppedOut, ExtractionOut
from app.articles.tables import Article
from app.records.mapping import records_out, usage_out
from app.records.tables import Extraction, Record


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
        mode=extraction.mode,
        cost_usd=extraction.cost_usd,
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
