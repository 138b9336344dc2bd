"""Request dependencies, as `Annotated` aliases.

A route that writes takes a `UnitDep` and commits it once, at its end; the jobs it sent go to
the queue after that commit. A route that only reads takes a `SessionDep`.
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlmodel import Session

from app.config import Settings
from app.db.unit import UnitOfWork
from app.services import Services


def get_services(request: Request) -> Services:
    """The services the app's lifespan opened."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    """The settings this app was started with."""
    return services.settings


def get_unit(services: ServicesDep) -> Iterator[UnitOfWork]:
    """The request's unit of work; what the route does not commit is rolled back."""
    with services.unit() as unit:
        yield unit


def get_session(unit: Annotated[UnitOfWork, Depends(get_unit)]) -> Session:
    """The session of the request's unit of work, for routes that only read."""
    return unit.session


# Ids are database integers: anything outside their range is a 422, never a database error.
ResourceId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Numeric id.")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
UnitDep = Annotated[UnitOfWork, Depends(get_unit)]
SessionDep = Annotated[Session, Depends(get_session)]
