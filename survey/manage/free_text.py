"""Core-team page: a wave's free-text answers (groups of 10 or more, shuffled, no dates)."""

from __future__ import annotations

from flask import abort, current_app, render_template
from flask_login import current_user

from survey import keyring
from survey.access import role_required
from survey.extensions import db
from survey.keys import KeyConfigError
from survey.manage import bp
from survey.models import Wave
from survey.release import ReleaseError
from survey.services.accounts import record_event
from survey.services.free_text import free_text


@bp.get("/waves/<int:wave_id>/free-text")
@role_required("core")
def wave_free_text(wave_id: int) -> tuple[str, int]:
    """Show the free-text answers of a released wave, where the rules allow it."""
    wave = db.session.get(Wave, wave_id) or abort(404)
    try:
        kek = keyring.configured_kek(current_app.config)
        groups = free_text(wave, kek)
    except (KeyConfigError, ReleaseError):  # no key, or it cannot unwrap this wave's key
        return render_template("manage/free_text.html", wave=wave, groups=None, key_error=True), 503
    record_event("free text viewed", user=current_user, target=f"wave:{wave.id}")
    return render_template("manage/free_text.html", wave=wave, groups=groups, key_error=False), 200
