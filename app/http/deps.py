"""Request dependencies, as `Annotated` aliases.

A route that writes takes a `UnitDep` and commits it once, at its end; the jobs it sent go to
the queue after that commit. A route that only reads takes a `SessionDep`.
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlmodel import Session

from app.auth.guard import ANONYMOUS, Principal, identify
from app.config import Settings
from app.db.unit import UnitOfWork
from app.errors import InvalidInput
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


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters a route (or dependency) declares, its sub-dependencies' included."""
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def refuse_unknown_query(request: Request) -> None:
    """Router dependency: a 422 naming the query parameters the matched route does not declare.

    Without it a misspelt filter (`?countri=Sudan`) is ignored, and the answer looks like one
    to the question asked: every record, with a 200.
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    accepted = _query_names(route.dependant)
    unknown = sorted(set(request.query_params) - accepted)
    if unknown:
        takes = ", ".join(sorted(accepted)) or "none"
        raise InvalidInput(
            f"unknown query parameter(s): {', '.join(unknown)}; this route takes: {takes}",
            details={"unknown": unknown, "accepted": sorted(accepted)},
        )


# Ids are database integers: anything outside their range is a 422, never a database error.
ResourceId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Numeric id.")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
UnitDep = Annotated[UnitOfWork, Depends(get_unit)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_caller(request: Request) -> Principal:
    """Who is calling (already identified by the access middleware, cached in the scope)."""
    principal = identify(request.scope)
    return principal if principal is not None else ANONYMOUS


CallerDep = Annotated[Principal, Depends(get_caller)]
