"""Review at the desk: the queue (keyboard: a approve, r reject, e edit, j/k move), the
correction form, approving and rejecting, merging and splitting events. Every action goes
through the review functions the API uses, so history names the signed-in key."""

from fastapi import APIRouter, Depends, Request, Response
from sqlmodel import Session

from app.auth.keys import Scope
from app.desk.correction import BLANK_ROWS, CHOICES, changes, country_choices
from app.desk.render import DeskRoute, local_path, page, redirect
from app.desk.session import FormDep, UserDep, current_user
from app.errors import InvalidInput, NotFound
from app.http.deps import ResourceId, SessionDep, UnitDep
from app.records.mapping import records_out
from app.records.review_state import ReviewState
from app.records.tables import Record
from app.review import events as event_review
from app.review.corrections import contract_values, correct
from app.review.queue import queued
from app.review.verdicts import judge

router = APIRouter(
    route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(current_user)]
)
QUEUE_SIZE = 50


def _int(value: str, name: str) -> int:
    if not value.isdecimal() or not 1 <= int(value) <= 2_147_483_647:
        raise InvalidInput(f"{name} must be a number")
    return int(value)


@router.get("/desk/review")
def queue_page(request: Request, session: SessionDep) -> Response:
    """The records most worth a person's minute first, with why."""
    ranked, total = queued(session, QUEUE_SIZE)
    shapes = records_out(session, [record for _, _, record in ranked])
    items = [
        (points, reasons, shape) for (points, reasons, _), shape in zip(ranked, shapes, strict=True)
    ]
    return page(request, "queue.html", items=items, total=total)


def _edit(
    request: Request, session: Session, record: Record, error: str | None, sent: dict[str, object]
) -> Response:
    values = {**contract_values(record), **sent}
    shape = records_out(session, [record])[0]
    return page(
        request,
        "edit.html",
        422 if error else 200,
        record=shape,
        values=values,
        choices=CHOICES,
        blank_rows=BLANK_ROWS,
        countries=country_choices(),
        error=error,
    )


@router.get("/desk/records/{record_id}/edit")
def edit_page(record_id: ResourceId, request: Request, session: SessionDep) -> Response:
    """A form for every field of the record, with the vocabulary's allowed values."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFound(f"There is no record {record_id}.")
    return _edit(request, session, record, None, {})


@router.post("/desk/records/{record_id}/edit")
def correct_record(
    record_id: ResourceId, request: Request, user: UserDep, form: FormDep, unit: UnitDep
) -> Response:
    """Apply the changed fields; the form again, with the problem named, when one is invalid."""
    user.require(Scope.REVIEW)
    record = unit.session.get(Record, record_id)
    if record is None:
        raise NotFound(f"There is no record {record_id}.")
    changed = changes(form, contract_values(record))
    if not changed:
        return _edit(request, unit.session, record, "Nothing was changed.", {})
    try:
        correct(unit.session, record_id, changed, user.who, form.get("reason") or None)
    except InvalidInput as error:
        unit.session.rollback()
        return _edit(request, unit.session, record, error.message, changed)
    unit.commit()
    return redirect(f"/desk/records/{record_id}")


@router.post("/desk/records/{record_id}/review")
def review_record(record_id: ResourceId, user: UserDep, form: FormDep, unit: UnitDep) -> Response:
    """Approve or reject a record, then back to where the person was."""
    user.require(Scope.REVIEW)
    verdict = form.get("verdict")
    if verdict not in (ReviewState.APPROVED, ReviewState.REJECTED):
        raise InvalidInput("the verdict is approved or rejected")
    judge(unit.session, record_id, ReviewState(verdict), user.who, form.get("reason") or None)
    unit.commit()
    return redirect(local_path(form.get("back"), f"/desk/records/{record_id}"))


@router.post("/desk/events/{event_id}/merge")
def merge_event(event_id: ResourceId, user: UserDep, form: FormDep, unit: UnitDep) -> Response:
    """Move this event's reports into another event."""
    user.require(Scope.REVIEW)
    into = _int(form.get("into"), "The event to merge into")
    event_review.merge(unit.session, event_id, into, user.who, form.get("reason") or None)
    unit.commit()
    return redirect(f"/desk/events/{into}")


@router.post("/desk/events/{event_id}/split")
def split_event(event_id: ResourceId, user: UserDep, form: FormDep, unit: UnitDep) -> Response:
    """Move the ticked reports of this event to a new event."""
    user.require(Scope.REVIEW)
    chosen = [_int(v, "A record") for v in form.all("records")]
    if not chosen:
        raise InvalidInput("Tick the reports that belong to another development.")
    new = event_review.split(unit.session, event_id, chosen, user.who, form.get("reason") or None)
    unit.commit()
    return redirect(f"/desk/events/{new.id}")
