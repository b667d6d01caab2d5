"""Key health: when the key check last ran and what it found, and which waves need an old KEK.

The check itself can run from here; rotation stays on the command line (the page says how),
because it needs the new and the retired key in the process's environment or key files.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from survey.access import role_required, signed_in_user
from survey.keys import KeyConfigError
from survey.manage import bp
from survey.manage.forms_membership import ConfirmForm
from survey.services import key_health
from survey.services.keyops import KeyOpsError

# A check older than this is worth running again (README: "from time to time").
STALE_AFTER = timedelta(days=31)


@bp.get("/keys")
@role_required("core")
def key_health_page() -> ResponseReturnValue:
    """The last key check, per wave, and the waves still wrapped by a retired KEK."""
    last = key_health.last_check()
    problem = ""
    state = None
    try:
        state = key_health.key_state()
    except KeyConfigError as error:
        problem = str(error)
    ran_at = last.ran_at.replace(tzinfo=last.ran_at.tzinfo or UTC) if last else None
    return render_template(
        "manage/keys/index.html",
        last=last,
        ran_at=ran_at,
        stale=ran_at is None or datetime.now(UTC) - ran_at > STALE_AFTER,
        waves=key_health.waves_of(last) if last else [],
        state=state,
        problem=problem,
        form=ConfirmForm(formdata=None),
        page_title="Key health",
    )


@bp.post("/keys/check")
@role_required("core")
def check_keys() -> ResponseReturnValue:
    """Open every stored response now and keep the result (counts stay off the page)."""
    if ConfirmForm().validate_on_submit():
        try:
            found = key_health.run_check(signed_in_user())
        except (KeyConfigError, KeyOpsError) as error:
            flash(f"The check could not run: {error}")
        else:
            flash(
                "Every stored response opened."
                if found.ok
                else f"{found.waves_failed} wave(s) had problems: see below."
            )
    return redirect(url_for("manage.key_health_page"), code=303)
