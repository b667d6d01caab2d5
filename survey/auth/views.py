"""Sign-in, sign-out and the signed-in person's own account page."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from survey.access import lead_or_core, public
from survey.auth.forms import SignInForm
from survey.extensions import limiter
from survey.models import User
from survey.services.accounts import authenticate, end_sessions, normalise_email
from survey.text_forms import CONTROL_MESSAGE

bp = Blueprint("auth", __name__, url_prefix="/auth")

SIGN_IN_FAILED = "That email and password do not match an account."
FORM_EXPIRED = "The sign-in form had expired. Please try again."
TOO_MANY = "There have been too many sign-in attempts. Please wait a minute and try again."


def safe_next(target: str | None) -> str | None:
    """The target if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read a backslash as a slash ("/\\evil.example"); control characters can split.
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# Where each role lands after signing in: the core team in its workspace, leads on results.
HOME_BY_ROLE = {"core": "manage.home", "lead": "results.index"}


def _home(user: User) -> str:
    """The landing page for this account's role."""
    return url_for(HOME_BY_ROLE.get(user.role, "auth.account"))


def _digest(value: str) -> str:
    """A keyed digest, so rate-limit storage holds neither addresses nor emails."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:32]


def _per_address() -> str:
    # Staff sign-in only: respondent routes are never keyed by address.
    return "sign-in-address:" + _digest(request.remote_addr or "")


def _per_account() -> str:
    return "sign-in-account:" + _digest(normalise_email(request.form.get("email", "")))


def _signin_limit() -> str:
    return str(current_app.config["SIGNIN_RATE_LIMIT"])


def _sign_in_page(form: SignInForm, error: str | None, status: int) -> tuple[str, int]:
    form.password.data = ""
    form.next.data = safe_next(form.next.data) or ""
    page = render_template("auth/sign_in.html", form=form, error=error, page_title="Sign in")
    return page, status


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(_signin_limit, key_func=_per_address, methods=["POST"])
@limiter.limit(_signin_limit, key_func=_per_account, methods=["POST"])
def sign_in() -> Response | tuple[str, int]:
    """Show the sign-in form; on a match, start a fresh session and go where asked (locally)."""
    form = SignInForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_home(current_user))
        form.next.data = request.args.get("next")
        return _sign_in_page(form, None, 200)
    if form.validate():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            # A fresh session: nothing set before sign-in (session fixation) survives it.
            session.clear()
            login_user(user)
            return redirect(safe_next(form.next.data) or _home(user), code=303)
    # One message for every failure, so it never tells which part was wrong; a character no
    # email can hold (a NUL, say) is said plainly, as it tells nothing about any account.
    unreadable = any(CONTROL_MESSAGE in field.errors for field in form)
    return _sign_in_page(form, CONTROL_MESSAGE if unreadable else SIGN_IN_FAILED, 422)


@bp.post("/sign-out")
@lead_or_core
def sign_out() -> Response:
    """End every session of this account, then show the sign-in page."""
    me: User = current_user._get_current_object()
    end_sessions(me)
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.sign_in"), code=303)


@bp.errorhandler(CSRFError)
def _form_expired(error: CSRFError) -> tuple[str, int]:
    if request.endpoint == "auth.sign_in":
        return _sign_in_page(SignInForm(formdata=None), FORM_EXPIRED, 400)
    page = render_template(
        "auth/message.html",
        page_title="This form has expired",
        message="For your security, forms expire after a while. Please go back and try again.",
    )
    return page, 400


@bp.errorhandler(TooManyRequests)
def _too_many(error: TooManyRequests) -> tuple[str, int]:
    return _sign_in_page(SignInForm(formdata=None), TOO_MANY, 429)
