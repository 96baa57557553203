"""Accounts and API tokens: who may write to the hub, kept in the instance's SQLite file.

Owns two tables in ``instance/hub.sqlite`` (next to the feed registry's, which it does not touch):
``accounts`` (username, role, the museum a museum account manages, status) and ``api_tokens``.
Passwords are stored only as werkzeug.security hashes; API tokens only as SHA-256 hex digests, so a
copy of the database gives no usable secret. A token's plain text exists once: in the return value of
:meth:`Accounts.create_token`. Nothing here logs a password or a token.

A museum that registers itself gets a ``pending`` account; it can sign in only after the admin
approves it. The museum → account link is the ``museum_id`` column (several accounts may manage one
museum; self-registration may not claim a museum someone else already has).

This module knows nothing of Flask requests or sessions (``web.accounts.auth`` does): it is used by the web app,
the CLI and the tests alike.
"""

from __future__ import annotations

import builtins
import hashlib
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from ontology.clock import utc_now
from ontology.iris import check_museum_id
from web.errors import InvalidInput, NotFound

ROLES = ("admin", "museum", "curator")
STATUSES = ("active", "pending", "disabled")
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "srom_"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'museum', 'curator')),
    museum_id TEXT,
    display_name TEXT NOT NULL DEFAULT '',
    email TEXT,
    note TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'pending', 'disabled')),
    session_nonce TEXT NOT NULL,
    created TEXT NOT NULL,
    approved TEXT,
    last_login TEXT
);
CREATE INDEX IF NOT EXISTS accounts_museum ON accounts(museum_id);
CREATE TABLE IF NOT EXISTS api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    last_used TEXT
);
"""

# Verifying against this when the user name is unknown makes a failed login take as long either way,
# so response times do not tell which user names exist.
_DUMMY_HASH = generate_password_hash("not a real password, only for timing")


class AccountError(InvalidInput):
    """A request about accounts that cannot be done (bad role, taken name, weak password...)."""


class AccountNotFound(AccountError, NotFound, KeyError):
    """No account with that id (a KeyError too, as callers from before the service layer expect)."""

    status = 404

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class User:
    """A signed-in account as the rest of the hub sees it (``web.accounts.auth`` hands it to the views)."""

    id: int
    username: str
    role: str
    museum_id: str | None
    display_name: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def has_role(self, *roles: str) -> bool:
        """True when the account has one of ``roles``; admins pass every role check."""
        return self.is_admin or not roles or self.role in roles

    def can_manage(self, museum_id: str) -> bool:
        """May this account change museum ``museum_id``'s feed? (its own museum, or any for admins)"""
        return self.is_admin or (self.role == "museum" and self.museum_id == museum_id)

    def as_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Account:
    """An account row as the admin sees it (never with its password hash)."""

    id: int
    username: str
    role: str
    museum_id: str | None
    display_name: str
    email: str | None
    note: str | None
    status: str
    created: str
    approved: str | None
    last_login: str | None

    def user(self) -> User:
        return User(self.id, self.username, self.role, self.museum_id, self.display_name or self.username)

    def as_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class ApiToken:
    """A token's bookkeeping; ``hint`` is its first characters, enough to tell tokens apart."""

    id: int
    account_id: int
    hint: str
    label: str
    created: str
    last_used: str | None

    def as_json(self) -> dict[str, object]:
        return asdict(self)



#: longest values an account may carry (a name is shown on pages; nothing here is a document)
MAX_DISPLAY_NAME, MAX_EMAIL, MAX_NOTE = 200, 254, 2000


def _checked_fields(display_name: str, email: str | None, note: str | None) -> tuple[str, str | None, str | None]:
    """The account's free-text fields, trimmed, refused when too long or holding control characters."""
    display_name = display_name.strip()
    for name, value, limit in (("display name", display_name, MAX_DISPLAY_NAME), ("email", email, MAX_EMAIL),
                               ("note", note, MAX_NOTE)):
        if value is None:
            continue
        if len(value) > limit:
            raise AccountError(f"the {name} is too long (at most {limit} characters)")
        if any(not c.isprintable() and c not in "\n\r\t" for c in value):
            raise AccountError(f"the {name} holds control characters")
    if email is not None and email.strip() and ("@" not in email or any(c.isspace() for c in email.strip())):
        raise AccountError("the email address is not one")
    return display_name, (email.strip() or None) if email else None, note


def hash_token(token: str) -> str:
    # A token is 256 random bits, so a fast unsalted hash is enough (nothing to brute-force), and it
    # lets a request find its token by an indexed lookup.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


class Accounts:
    #: werkzeug.security's method for new password hashes (its default; tests that create many accounts
    #: may choose a cheaper one, as Django's test settings do)
    password_method: str = "scrypt"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            with db:
                yield db
        finally:
            db.close()

    # --- accounts ------------------------------------------------------------------------------
    def create(
        self,
        username: str,
        password: str,
        role: str,
        *,
        museum_id: str | None = None,
        display_name: str = "",
        email: str | None = None,
        note: str | None = None,
        status: str = "active",
    ) -> Account:
        username = username.strip()
        if not username or len(username) > 64 or any(c.isspace() or not c.isprintable() for c in username):
            raise AccountError("a user name needs 1-64 characters and no spaces")
        display_name, email, note = _checked_fields(display_name, email, note)
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        if status not in STATUSES:
            raise AccountError(f"unknown status {status!r}")
        if role == "museum":
            if not museum_id:
                raise AccountError("a museum account needs the id of its museum")
            try:
                check_museum_id(museum_id)
            except ValueError as exc:
                raise AccountError(str(exc)) from exc
        elif museum_id:
            raise AccountError(f"only museum accounts have a museum; a {role} account has none")
        check_password_strength(password)
        now = utc_now()
        password_hash = generate_password_hash(password, method=self.password_method)
        try:
            with self._connect() as db:
                cursor = db.execute(
                    "INSERT INTO accounts (username, password_hash, role, museum_id, display_name, email, note, "
                    "status, session_nonce, created, approved) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (username, password_hash, role, museum_id, display_name.strip(), email, note, status,
                     secrets.token_hex(8), now, now if status == "active" else None),
                )
                account_id = int(cursor.lastrowid or 0)
        except sqlite3.IntegrityError as exc:
            raise AccountError(f"the user name {username!r} is taken") from exc
        account = self.get(account_id)
        assert account is not None
        return account

    def get(self, account_id: int) -> Account | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
        return _account(row) if row else None

    def by_username(self, username: str) -> Account | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM accounts WHERE username = ?", (username.strip(),)).fetchone()
        return _account(row) if row else None

    def list(self, *, status: str | None = None) -> list[Account]:
        sql = "SELECT * FROM accounts"
        args: tuple[object, ...] = ()
        if status:
            sql += " WHERE status = ?"
            args = (status,)
        with self._connect() as db:
            rows = db.execute(sql + " ORDER BY status = 'active', username", args).fetchall()
        return [_account(r) for r in rows]

    def for_museum(self, museum_id: str) -> builtins.list[Account]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM accounts WHERE museum_id = ? ORDER BY id", (museum_id,)).fetchall()
        return [_account(r) for r in rows]

    def museum_claimed(self, museum_id: str) -> bool:
        """Does any account (pending ones included) manage ``museum_id``?"""
        with self._connect() as db:
            return db.execute("SELECT 1 FROM accounts WHERE museum_id = ?", (museum_id,)).fetchone() is not None

    def authenticate(self, username: str, password: str) -> Account | None:
        """The account if the password is right (whatever its status: callers say why it cannot sign in)."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM accounts WHERE username = ?", (username.strip(),)).fetchone()
        if row is None:
            check_password_hash(_DUMMY_HASH, password)
            return None
        if not check_password_hash(row["password_hash"], password):
            return None
        with self._connect() as db:
            db.execute("UPDATE accounts SET last_login = ? WHERE id = ?", (utc_now(), row["id"]))
        return _account(row)

    def session_nonce(self, account_id: int) -> str | None:
        """A value kept in the session; it changes when the password or status changes, ending sessions."""
        with self._connect() as db:
            row = db.execute("SELECT session_nonce FROM accounts WHERE id = ? AND status = 'active'",
                             (account_id,)).fetchone()
        return row["session_nonce"] if row else None

    def session_account(self, account_id: int, nonce: str) -> Account | None:
        """The active account a session names, if the session's nonce is still the account's (one query)."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM accounts WHERE id = ? AND status = 'active'", (account_id,)).fetchone()
        if row is None or not secrets.compare_digest(str(row["session_nonce"]), nonce):
            return None
        return _account(row)

    def update(self, account_id: int, *, by: int | None = None, **values: object) -> Account:
        """Change ``role``, ``museum_id``, ``display_name``, ``email``, ``status`` or ``password``.

        ``by`` is the account making the change: nobody disables their own account (the hub would be
        left without the admin who could undo it).
        """
        account = self.get(account_id)
        if account is None:
            raise AccountNotFound(f"no account {account_id}")
        if by == account_id and values.get("status", "active") != "active":
            raise AccountError("you cannot disable your own account")
        allowed = {"role", "museum_id", "display_name", "email", "status", "password"}
        unknown = set(values) - allowed
        if unknown:
            raise AccountError(f"unknown account fields {sorted(unknown)}")
        role = str(values.get("role", account.role))
        museum_id = values.get("museum_id", account.museum_id) or None
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        if role == "museum":
            if not museum_id:
                raise AccountError("a museum account needs the id of its museum")
            try:
                check_museum_id(str(museum_id))
            except ValueError as exc:
                raise AccountError(str(exc)) from exc
        else:
            museum_id = None
        columns: dict[str, object] = {"role": role, "museum_id": museum_id}
        if "display_name" in values:
            columns["display_name"] = _checked_fields(str(values["display_name"] or ""), None, None)[0]
        if "email" in values:
            columns["email"] = _checked_fields("", str(values["email"] or "") or None, None)[1]
        new_session = False
        if "status" in values and values["status"] != account.status:
            if values["status"] not in STATUSES:
                raise AccountError(f"unknown status {values['status']!r}")
            columns["status"] = values["status"]
            if values["status"] == "active" and not account.approved:
                columns["approved"] = utc_now()
            new_session = True
        if values.get("password"):
            check_password_strength(str(values["password"]))
            columns["password_hash"] = generate_password_hash(str(values["password"]), method=self.password_method)
            new_session = True
        if new_session or role != account.role or museum_id != account.museum_id:
            columns["session_nonce"] = secrets.token_hex(8)  # signs every open session of the account out
        assignments = ", ".join(f"{k} = :{k}" for k in columns)
        with self._connect() as db:
            db.execute(f"UPDATE accounts SET {assignments} WHERE id = :id", {**columns, "id": account_id})
        updated = self.get(account_id)
        assert updated is not None
        return updated

    def approve(self, account_id: int) -> Account:
        return self.update(account_id, status="active")

    def delete(self, account_id: int, *, by: int | None = None) -> None:
        if by == account_id:
            raise AccountError("you cannot delete your own account")
        with self._connect() as db:
            db.execute("DELETE FROM accounts WHERE id = ?", (account_id,))

    # --- API tokens ----------------------------------------------------------------------------
    def create_token(self, account_id: int, label: str = "") -> tuple[str, ApiToken]:
        """A new token for the account: ``(plain text, record)``. The plain text is not kept anywhere."""
        if self.get(account_id) is None:
            raise KeyError(account_id)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO api_tokens (account_id, token_hash, hint, label, created) VALUES (?, ?, ?, ?, ?)",
                (account_id, hash_token(token), token[: len(TOKEN_PREFIX) + 4], label.strip()[:100], utc_now()),
            )
            token_id = int(cursor.lastrowid or 0)
        return token, next(t for t in self.tokens(account_id) if t.id == token_id)

    def tokens(self, account_id: int) -> builtins.list[ApiToken]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, account_id, hint, label, created, last_used FROM api_tokens WHERE account_id = ? "
                "ORDER BY id", (account_id,)
            ).fetchall()
        return [ApiToken(**dict(r)) for r in rows]

    def revoke_token(self, account_id: int, token_id: int) -> bool:
        with self._connect() as db:
            cursor = db.execute("DELETE FROM api_tokens WHERE id = ? AND account_id = ?", (token_id, account_id))
            return cursor.rowcount > 0

    def user_for_token(self, token: str) -> User | None:
        """The active account a bearer token belongs to, else None."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        digest = hash_token(token)
        with self._connect() as db:
            row = db.execute(
                "SELECT a.*, t.id AS token_id FROM api_tokens t JOIN accounts a ON a.id = t.account_id "
                "WHERE t.token_hash = ? AND a.status = 'active'", (digest,)
            ).fetchone()
            if row is None:
                return None
            db.execute("UPDATE api_tokens SET last_used = ? WHERE id = ?", (utc_now(), row["token_id"]))
        data = dict(row)
        data.pop("token_id")
        return _account_from(data).user()


def _account_from(data: dict[str, object]) -> Account:
    for secret in ("password_hash", "session_nonce"):
        data.pop(secret, None)
    return Account(**data)  # type: ignore[arg-type]


def _account(row: sqlite3.Row) -> Account:
    return _account_from(dict(row))
