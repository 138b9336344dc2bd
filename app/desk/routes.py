"""The desk's routes and its static assets, added to the app (outside the OpenAPI document:
pages, not API)."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.desk import articles, events, review, signin
from app.desk.render import STATIC


def install(app: FastAPI) -> None:
    """Serve the desk: its pages under /desk, its CSS and JavaScript under /desk/static."""
    for module in (signin, events, articles, review):
        app.include_router(module.router)
    app.mount("/desk/static", StaticFiles(directory=STATIC), name="desk-static")
