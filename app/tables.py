"""Every domain's tables, imported so `SQLModel.metadata` holds the whole schema.

Alembic's environment and the migration tests import this module; the application imports
each domain's tables where it uses them.
"""

from app.articles.tables import Article
from app.auth.tables import ApiKey, DeskSession
from app.events.tables import Event, EventAnchor, EventCountry, EventMediator, Process
from app.feeds.tables import Feed
from app.http.tables import IdempotentRequest
from app.records.tables import Extraction, Record, RecordCountry, RecordMediator
from app.review.tables import Change

__all__ = [
    "ApiKey",
    "Article",
    "Change",
    "DeskSession",
    "Event",
    "EventAnchor",
    "EventCountry",
    "EventMediator",
    "Extraction",
    "Feed",
    "IdempotentRequest",
    "Process",
    "Record",
    "RecordCountry",
    "RecordMediator",
]
