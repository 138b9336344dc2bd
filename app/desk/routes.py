"""The desk's routes and its static assets, added to the app (outside the OpenAPI document:
pages, not API)."""

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from app.desk import articles, events, review, signin
from app.desk.render import STATIC

ROUTERS: tuple[APIRouter, ...] = (signin.router, events.router, articles.router, review.router)


def install(app: FastAPI) -> None:
    """Serve the desk: its pages under /desk, its CSS and JavaScript under /desk/static."""
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/desk/static", StaticFiles(directory=STATIC), name="desk-static")
