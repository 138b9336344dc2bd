"""Articles by status and queue depth, read from the database when Prometheus scrapes."""

from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.articles.tables import Article, ArticleStatus


class ArticleGauges(Collector):
    """Articles by status and queue depth, counted when Prometheus scrapes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterable[Metric]:
        """Yield the gauges read from the database."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(Article.status, func.count()).group_by(col(Article.status))
            ).all()
        counts = dict.fromkeys((s.value for s in ArticleStatus), 0) | {
            status: int(n) for status, n in rows
        }
        articles = GaugeMetricFamily("parley_articles", "Articles by status.", labels=["status"])
        for status, n in sorted(counts.items()):
            articles.add_metric([status], n)
        yield articles
        depth = counts["queued"] + counts["processing"]
        yield GaugeMetricFamily("parley_queue_depth", "Articles queued or processing.", value=depth)
