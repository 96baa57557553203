"""Who is asking: session logins, bearer tokens, role checks and CSRF, for every blueprint.

The public names are a contract the blueprints code against:
``login_required``, ``current_user``, ``User``, ``csrf_token`` and ``init_auth``. Account storage lives
in ``web.accounts.database``; the login pages in ``web.views.auth``.

- A request carrying ``Authorization: Bearer <token>`` is that token's account and nothing else: the
  session cookie is ignored, and CSRF does not apply (a cross-site page cannot set that header).
- Otherwise the signed session cookie names the account; a per-account nonce in it ends every session
  when the password, role or status changes.
- Every POST/PUT/PATCH/DELETE made with a session login must carry the CSRF token (form field
  ``csrf_token`` or header ``X-CSRF-Token``); so must the anonymous login and registration forms
  (login CSRF). Views that never act on a session's authority (the public SPARQL protocol) are exempt.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_request_context, jsonify, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import Forbidden

from web.accounts.database import Accounts, User

__all__ = ["User", "accounts", "csrf_anonymous", "csrf_exempt", "csrf_token", "current_user", "init_auth",
           "login_required", "log_in", "log_out", "safe_next", "wants_api_answer"]

F = TypeVar("F", bound=Callable[..., Any])
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_HOURS = 12
# Blueprints whose views never use the session's authority: public, read-only protocol endpoints.
CSRF_EXEMPT_BLUEPRINTS = frozenset({"sparql"})


def accounts() -> Accounts:
    return current_app.extensions["srom_accounts"]


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    return None


def current_user() -> User | None:
    """The account making this request: from its bearer token, else from the session cookie."""
    if not has_request_context():  # a template rendered outside a request (an export) has no user
        return None
    if "srom_user" in g:
        return g.srom_user
    user: User | None = None
    token = _bearer()
    if token is not None:
        user = accounts().user_for_token(token)
    elif "uid" in session:
        account = accounts().session_account(int(session["uid"]), str(session.get("nonce", "")))
        if account is not None:
            user = account.user()
        else:
            session.pop("uid", None)
            session.pop("nonce", None)
    g.srom_user = user
    return user


def log_in(user: User) -> None:
    """Start a session for ``user`` (a fresh session and a fresh CSRF token)."""
    nonce = accounts().session_nonce(user.id)
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["nonce"] = nonce
    session["csrf"] = secrets.token_urlsafe(32)
    g.srom_user = user


def log_out() -> None:
    session.clear()
    g.srom_user = None


def csrf_token() -> str:
    """This session's CSRF token (made on first use); put it in every form that POSTs."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_exempt(view: F) -> F:
    """Mark a view that never acts on a session's authority (it must not change anything for a user)."""
    view._srom_csrf_exempt = True  # type: ignore[attr-defined]
    return view


def csrf_anonymous(view: F) -> F:
    """Mark an anonymous form (login, registration) that needs the CSRF token although nobody is signed in."""
    view._srom_csrf_anonymous = True  # type: ignore[attr-defined]
    return view


def wants_api_answer() -> bool:
    """JSON errors for the API, bearer-token clients and clients that ask for JSON; pages otherwise."""
    if request.path.startswith("/api/") or _bearer() is not None:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _json_error(status: int, message: str) -> ResponseReturnValue:
    response = jsonify({"ok": False, "error": message, "status": status})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="srom"'
    return response


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects after login)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def login_required(*roles: Any) -> Any:
    """Decorator: the view needs a signed-in account (and, given roles, one of them; admins pass all).

    ``@login_required()`` or ``@login_required("curator")``. Not signed in: pages redirect to
    ``/login?next=...``, the API answers 401 in the JSON envelope. Wrong role: 403.
    """
    if len(roles) == 1 and callable(roles[0]):  # used bare, as @login_required
        return login_required()(roles[0])

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                if wants_api_answer():
                    message = ("invalid or revoked API token" if _bearer() is not None
                               else "sign in or send a bearer token")
                    return _json_error(401, message)
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not user.has_role(*roles):
                wanted = " or ".join(roles)
                raise Forbidden(f"this needs {'an' if wanted[0] in 'aeiou' else 'a'} {wanted} account")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _csrf_needed() -> bool:
    if request.method not in UNSAFE_METHODS or _bearer() is not None:
        return False
    if request.blueprint in CSRF_EXEMPT_BLUEPRINTS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or getattr(view, "_srom_csrf_exempt", False):
        return False
    if getattr(view, "_srom_csrf_anonymous", False):
        return True
    # Without a signed-in session there is no authority to borrow; login_required answers 401 there.
    return current_user() is not None


def _check_csrf() -> ResponseReturnValue | None:
    if not _csrf_needed():
        return None
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = session.get("csrf") or ""
    if expected and sent and hmac.compare_digest(str(sent), str(expected)):
        return None
    message = "the form's CSRF token is missing or stale: reload the page and try again"
    if wants_api_answer():
        return _json_error(400, message)
    from flask_babel import gettext

    from web.error_pages import error_page

    return error_page(400, message=gettext("The form has expired: reload the page and send it again."))


def init_auth(app: Flask) -> None:
    """Install accounts, session cookie settings, the CSRF check and the template helpers on ``app``."""
    hub = app.extensions["srom"]
    app.extensions["srom_accounts"] = hub.accounts
    # Flask's defaults are looser (no SameSite, 31-day sessions): set ours explicitly.
    app.config.update(
        SESSION_COOKIE_NAME="srom_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Secure cookies travel only over HTTPS: on when the hub's public address is https (a hub
        # served over https but visited at http://127.0.0.1 then cannot sign in there, by design).
        SESSION_COOKIE_SECURE=str(app.config.get("BASE_IRI", "")).startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
    )
    app.before_request(_check_csrf)

    def can_manage(museum_id: str) -> bool:
        user = current_user()
        return bool(user and user.can_manage(museum_id))

    app.jinja_env.globals.update(csrf_token=csrf_token, current_user=current_user, can_manage=can_manage)
