"""Sign in, sign out, and self-registration of museums (a pending account the admin approves).

Every form here carries the CSRF token, the anonymous ones too (login CSRF). Failed sign-ins are
throttled per client address and user name, per address and per account name, and registrations per
address (``web.accounts.throttle``). Passwords are never logged or echoed back into a form.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext

from harvesters.feed_database import FeedDatabaseError
from ontology.iris import check_museum_id
from web.accounts.auth import accounts, csrf_anonymous, current_user, log_in, log_out, safe_next
from web.accounts.database import MIN_PASSWORD_LENGTH, AccountError
from web.accounts.throttle import LoginThrottle, RateLimiter
from web.views.common import hub

bp = Blueprint("auth", __name__)

#: museum self-registrations per client address per hour
REGISTRATIONS_PER_HOUR = 5


def throttle() -> LoginThrottle:
    return current_app.extensions.setdefault("srom_login_throttle", LoginThrottle())


def registrations() -> RateLimiter:
    return current_app.extensions.setdefault("srom_registration_limit", RateLimiter(REGISTRATIONS_PER_HOUR, 3600))


def _home_for(user) -> str:
    if user.role in ("museum", "admin"):
        return url_for("manage.index")
    if user.role == "curator":
        return url_for("curate.index")
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@csrf_anonymous
def login():
    next_url = safe_next(request.values.get("next"), "")
    if request.method == "GET":
        user = current_user()
        if user is not None:
            return redirect(next_url or _home_for(user))
        return render_template("auth/login.html", next=next_url, error=None, username="")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    address = request.remote_addr or "?"
    if throttle().blocked(address, username):
        return render_template("auth/login.html", next=next_url, username=username,
                               error=gettext("Too many failed sign-ins; wait a few minutes and try again.")), 429
    account = accounts().authenticate(username, password) if username and password else None
    if account is None:
        throttle().failed(address, username)
        return render_template("auth/login.html", next=next_url, username=username,
                               error=gettext("Wrong user name or password.")), 401
    throttle().succeeded(address, username)
    if account.status != "active":
        reason = (gettext("Your account is waiting for the hub admin's approval.") if account.status == "pending"
                  else gettext("This account is disabled; ask the hub admin."))
        return render_template("auth/login.html", next=next_url, username=username, error=reason), 403
    user = account.user()
    log_in(user)
    return redirect(next_url or _home_for(user))


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "POST":
        log_out()
        return redirect(url_for("home.index"))
    return render_template("auth/logout.html")


@bp.route("/register", methods=["GET", "POST"])
@csrf_anonymous
def register():
    """A museum asks to join: the account is created pending, the admin approves it."""
    form = {k: request.form.get(k, "").strip() for k in ("username", "display_name", "museum_id", "email", "note")}
    if request.method == "GET":
        return render_template("auth/register.html", form=form, error=None, done=False,
                               min_length=MIN_PASSWORD_LENGTH)
    error = None
    password = request.form.get("password", "")
    address = request.remote_addr or "?"
    if registrations().blocked(address):
        wait = registrations().retry_after(address)
        return render_template("auth/register.html", form=form, done=False, min_length=MIN_PASSWORD_LENGTH,
                               error=gettext("Too many registrations from your address; try again later.")), 429, {
                                   "Retry-After": str(wait)}
    try:
        if password != request.form.get("password_again", ""):
            raise AccountError(gettext("The two passwords differ."))
        if not form["display_name"]:
            raise AccountError(gettext("Give the museum's name."))
        museum_id = form["museum_id"].lower()
        check_museum_id(museum_id)
        if hub().feeds.get_museum(museum_id) is not None or accounts().museum_claimed(museum_id):
            raise AccountError(gettext("The museum id “%(id)s” is taken; choose another or ask the hub admin.",
                                       id=museum_id))
        accounts().create(form["username"], password, "museum", museum_id=museum_id,
                          display_name=form["display_name"], email=form["email"] or None,
                          note=form["note"] or None, status="pending")
        registrations().hit(address)
    except (AccountError, FeedDatabaseError, ValueError) as exc:
        error = str(exc)
    if error:
        return render_template("auth/register.html", form=form, error=error, done=False,
                               min_length=MIN_PASSWORD_LENGTH), 422
    return render_template("auth/register.html", form=form, error=None, done=True, min_length=MIN_PASSWORD_LENGTH)

