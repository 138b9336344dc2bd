"""Request dependencies, as `Annotated` aliases."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlmodel import Session

from app.config import Settings
from app.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    """The runtime the lifespan opened."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> Settings:
    """The settings this app was started with."""
    return runtime.settings


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    """A session for the request; the route commits, anything uncommitted is rolled back."""
    with Session(runtime.engine, expire_on_commit=False) as session:
        yield session


# Ids are database integers: anything outside their range is a 422, never a database error.
ResourceId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Numeric id.")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
