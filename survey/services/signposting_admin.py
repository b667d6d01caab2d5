"""The core team's signposting list: add, edit, reorder, delete and re-check support routes.

What a respondent is shown is read by `survey.services.signposting`; this module writes it.
Every write commits once and leaves an audit event naming the core-team member.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Organisation, SignpostResource, User
from survey.services.accounts import record_event
from survey.services.membership import describe_changes

STALE_AFTER_MONTHS = 6
POSITION_STEP = 10
_DIALABLE = re.compile(r"[0-9]{3,15}")
_TYPED_SEPARATORS = re.compile(r"[\s-]")


class SignpostError(Exception):
    """A change that cannot be made; `field` names the form field the message is about."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ResourceDetails:
    """What the core team enters about one support route."""

    organisation_id: int | None
    name: str
    contact: str
    hours: str
    description: str
    url: str | None
    phone: str | None
    sms: str | None
    min_level: int
    always: bool
    position: int | None
    last_checked: date


def six_months_before(today: date) -> date:
    """The same day six calendar months earlier (the last day of that month if it is shorter)."""
    months = today.year * 12 + today.month - 1 - STALE_AFTER_MONTHS
    year, month = divmod(months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(today.day, last_day))


def stale(resource: SignpostResource, today: date) -> bool:
    """Whether the route was last checked more than six months before today."""
    return resource.last_checked < six_months_before(today)


def dialable(typed: str) -> str | None:
    """A phone or text number as digits only (spaces and dashes dropped), or None if empty.

    Raises ValueError for anything else, so a `tel:` link always dials what was meant.
    """
    digits = _TYPED_SEPARATORS.sub("", typed)
    if not digits:
        return None
    if not _DIALABLE.fullmatch(digits):
        raise ValueError(typed)
    return digits


def web_address(typed: str) -> str | None:
    """A full http(s) address, or None if empty; ValueError for anything else (no javascript:)."""
    address = typed.strip()
    if not address:
        return None
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in address:
        raise ValueError(typed)
    return address


def scopes() -> list[tuple[Organisation | None, list[SignpostResource]]]:
    """Alliance-wide routes, then each organisation's own (empty lists included), in order."""
    rows = db.session.scalars(
        select(SignpostResource).order_by(
            SignpostResource.position, SignpostResource.name, SignpostResource.id
        )
    ).all()
    grouped: list[tuple[Organisation | None, list[SignpostResource]]] = [
        (None, [row for row in rows if row.organisation_id is None])
    ]
    for organisation in db.session.scalars(select(Organisation).order_by(Organisation.name)):
        grouped.append(
            (organisation, [row for row in rows if row.organisation_id == organisation.id])
        )
    return grouped


def get_resource(resource_id: int) -> SignpostResource | None:
    """The route with this id, if any."""
    return db.session.get(SignpostResource, resource_id)


def _in_scope(organisation_id: int | None) -> list[SignpostResource]:
    return list(
        db.session.scalars(
            select(SignpostResource)
            .where(
                SignpostResource.organisation_id.is_(None)
                if organisation_id is None
                else SignpostResource.organisation_id == organisation_id
            )
            .order_by(SignpostResource.position, SignpostResource.name, SignpostResource.id)
        )
    )


def _checked(details: ResourceDetails, today: date) -> dict[str, Any]:
    """The route's fields after checking each one (the form checks them first, kindly)."""
    organisation_id = details.organisation_id
    if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        raise SignpostError("Choose who the route is for from the list.", "organisation_id")
    for field, longest in (("name", 200), ("contact", 300)):
        value = getattr(details, field).strip()
        if not value or len(value) > longest:
            raise SignpostError(f"Enter 1 to {longest} characters.", field)
    if details.last_checked > today:
        raise SignpostError("The date last checked cannot be in the future.", "last_checked")
    if details.min_level < 0:
        raise SignpostError("Choose the results it is shown with.", "min_level")
    try:
        phone, sms = dialable(details.phone or ""), dialable(details.sms or "")
    except ValueError:
        raise SignpostError("Use digits only.", "phone" if details.phone else "sms") from None
    try:
        url = web_address(details.url or "")
    except ValueError:
        raise SignpostError("Enter a full address starting with https://.", "url") from None
    fields = asdict(details) | {"phone": phone, "sms": sms, "url": url}
    fields |= {key: fields[key].strip() for key in ("name", "contact", "hours", "description")}
    if fields["position"] is None:
        fields["position"] = _next_position(organisation_id)
    return fields


def _next_position(organisation_id: int | None) -> int:
    """After the last route of the same list."""
    query = select(func.max(SignpostResource.position))
    if organisation_id is None:
        query = query.where(SignpostResource.organisation_id.is_(None))
    else:
        query = query.where(SignpostResource.organisation_id == organisation_id)
    highest = db.session.scalar(query)
    return (highest or 0) + POSITION_STEP


def create_resource(details: ResourceDetails, *, actor: User, today: date) -> SignpostResource:
    """Add a support route; commits once."""
    fields = _checked(details, today)
    resource = SignpostResource(**fields)
    db.session.add(resource)
    db.session.flush()
    detail = describe_changes(dict.fromkeys(fields), fields)
    record_event("signpost created", user=actor, target=_target(resource), detail=detail)
    return resource


def update_resource(
    resource: SignpostResource, details: ResourceDetails, *, actor: User, today: date
) -> str:
    """Change a support route; commits once; returns what changed ("" for nothing)."""
    fields = _checked(details, today)
    changes = describe_changes({key: getattr(resource, key) for key in fields}, fields)
    if not changes:
        return ""
    for key, value in fields.items():
        setattr(resource, key, value)
    record_event("signpost changed", user=actor, target=_target(resource), detail=changes)
    return changes


def delete_resource(resource: SignpostResource, *, actor: User) -> None:
    """Remove a support route; commits once (the audit keeps its name and where it was shown)."""
    target = _target(resource)
    scope = f"organisation:{resource.organisation_id}" if resource.organisation_id else "alliance"
    db.session.delete(resource)
    record_event("signpost deleted", user=actor, target=target, detail=f"{resource.name!r} {scope}")


def mark_checked(resource: SignpostResource, *, actor: User, today: date) -> None:
    """Record that the route was checked today; commits once."""
    detail = f"last checked: {resource.last_checked} -> {today}"
    resource.last_checked = today
    record_event("signpost checked", user=actor, target=_target(resource), detail=detail)


def move_resource(
    resource: SignpostResource, direction: Literal["up", "down"], *, actor: User
) -> bool:
    """Swap the route with its neighbour in its list and renumber the list; commits once.

    Returns False (and changes nothing) when it is already first or last.
    """
    rows = _in_scope(resource.organisation_id)
    here = rows.index(resource)
    there = here - 1 if direction == "up" else here + 1
    if not 0 <= there < len(rows):
        return False
    rows[here], rows[there] = rows[there], rows[here]
    # Renumbering in steps keeps room to type a position between two routes later.
    for place, row in enumerate(rows, start=1):
        row.position = place * POSITION_STEP
    record_event("signpost moved", user=actor, target=_target(resource), detail=direction)
    return True


def _target(resource: SignpostResource) -> str:
    return f"signpost:{resource.id}"
