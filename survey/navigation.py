"""The staff navigation: one list of entries, shown the same on every staff page.

Entries name endpoints, not addresses, so a page another change has not added yet (or
that this deployment lacks) is simply left out instead of breaking every page. The entry
whose address the current page sits under is marked, so "Waves" stays marked on a wave's
poster page too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_login import current_user
from sqlalchemy import select

from survey.extensions import db
from survey.models import Organisation
from survey.services.accounts import visible_organisation_ids


@dataclass(frozen=True)
class NavEntry:
    """One entry of the staff navigation as a page shows it."""

    label: str
    url: str
    current: str | None  # "page" on the page itself, "true" inside its area, None elsewhere


# (endpoint, label), in the order the core team meets them. Audit and accounts are
# `manage.audit_log` and `manage.accounts` once their pages exist.
CORE_NAV = (
    ("manage.home", "Home"),
    ("manage.organisations", "Organisations"),
    ("manage.leads", "Team leads"),
    ("manage.questionnaires", "Questionnaires"),
    ("manage.waves", "Waves"),
    ("journey.alliance", "Journeys"),
    ("results.index", "Results"),
    ("results.actions", "Action plans"),
    ("manage.signposting", "Signposting"),
    ("manage.audit_log", "Audit log"),
    ("manage.accounts", "Accounts"),
)
LEAD_NAV = (
    ("results.index", "Results"),
    ("results.actions", "Action plans"),
    ("auth.account", "Your account"),
)
# Areas whose pages sit under more than the entry's own address.
AREA_PREFIXES = {
    "manage.organisations": ("/manage/organisations", "/manage/teams"),
    "manage.waves": ("/manage/waves", "/manage/links"),
    "journey.alliance": ("/journey",),
}


def _entries_for(role: str | None) -> tuple[tuple[str, str], ...]:
    if role == "core":
        return CORE_NAV
    if role == "lead":
        return LEAD_NAV
    return ()


def _current(endpoint: str, url: str) -> str | None:
    if request.endpoint == endpoint:
        return "page"
    if url.rstrip("/") in ("", "/manage"):
        return None  # home would otherwise contain every workspace page
    prefixes = AREA_PREFIXES.get(endpoint, (url.rstrip("/"),))
    inside = any(request.path == p or request.path.startswith(p + "/") for p in prefixes)
    return "true" if inside else None


def staff_nav() -> list[NavEntry]:
    """The navigation for the signed-in person's role (empty when nobody is signed in)."""
    if not current_user.is_authenticated:
        return []
    entries = []
    for endpoint, label in _entries_for(getattr(current_user, "role", None)):
        if endpoint not in current_app.view_functions:
            continue  # a page not built (yet): leave it out rather than fail
        url = url_for(endpoint)
        entries.append(NavEntry(label, url, _current(endpoint, url)))
    if getattr(current_user, "role", None) == "lead":
        entries[-1:-1] = _journey_entries()
    return entries


def _journey_entries() -> list[NavEntry]:
    """A lead's way to each organisation they hold: its journey (reviews, plan, sessions)."""
    held = visible_organisation_ids(current_user)
    if not held or "journey.organisation" not in current_app.view_functions:
        return []
    names = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(held))
        .order_by(Organisation.name)
    ).all()
    entries = []
    for organisation_id, name in names:
        url = url_for("journey.organisation", organisation_id=organisation_id)
        label = "Journey" if len(names) == 1 else f"Journey: {name}"
        current = "page" if request.path in (url, url + "/board") else None
        entries.append(NavEntry(label, url, current))
    return entries


def home_url() -> str:
    """Where the header mark leads: the role's home page, or sign-in."""
    role = getattr(current_user, "role", None) if current_user.is_authenticated else None
    if role == "core":
        return url_for("manage.home")
    if role == "lead":
        return url_for("results.index")
    return url_for("auth.sign_in")


def _context() -> dict[str, Any]:
    return {"staff_nav": staff_nav, "home_url": home_url}


def init_app(app: Flask) -> None:
    """Offer the navigation to every template."""
    app.context_processor(_context)
