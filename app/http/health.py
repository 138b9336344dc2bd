"""GET /healthz: is the service up and its database reachable."""

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import __version__
from app.http.deps import ServicesDep
from app.http.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
def healthz(services: ServicesDep) -> JSONResponse:
    """200 when the database answers, 503 otherwise."""
    database: Literal["ok", "unreachable"] = "ok"
    try:
        with services.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        database = "unreachable"
    health = Health(
        status="ok" if database == "ok" else "degraded",
        database=database,
        extractor=services.extractor.name,
        version=__version__,
    )
    return JSONResponse(health.model_dump(), status_code=200 if database == "ok" else 503)
