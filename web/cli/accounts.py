"""``srom accounts ...``, ``srom tokens create`` and ``srom museums probe``: registered on ``web.cli.main``.

Kept apart from ``web.cli`` so that the accounts commands live next to the code they drive. Passwords
come from a hidden prompt or the first line of stdin (``--password-stdin``), never from an argument
(which would land in the shell history and the process list). A token is printed once, on stdout.
"""

from __future__ import annotations

import json
import sys

import click

from web.accounts.database import ROLES, STATUSES, AccountError, Accounts


def _hub():  # noqa: ANN202
    from web.cli import _hub as make_hub

    return make_hub()


def _accounts() -> Accounts:
    return Accounts(_hub().instance / "hub.sqlite")


@click.group("accounts")
def accounts() -> None:
    """Accounts that may sign in: admins, museums (which manage their own feed) and curators."""


@accounts.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--museum", "museum_id", default=None, help="The museum a museum account manages.")
@click.option("--display-name", default="", help="Name shown in the hub (default: the user name).")
@click.option("--email", default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def accounts_add(username: str, role: str, museum_id: str | None, display_name: str, email: str | None,
                 password_stdin: bool) -> None:
    """Create an active account USERNAME."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        account = _accounts().create(username, password, role, museum_id=museum_id, display_name=display_name,
                                     email=email)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {account.role} account {account.username}"
               + (f" for museum {account.museum_id}" if account.museum_id else ""))


@accounts.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def accounts_list(as_json: bool) -> None:
    """List accounts (pending ones first)."""
    rows = [a.as_json() for a in _accounts().list()]
    if as_json:
        click.echo(json.dumps({"ok": True, "accounts": rows}, ensure_ascii=False, indent=2))
        return
    for a in rows:
        click.echo(f"{a['username']:<20} {a['role']:<8} {a['status']:<9} {a['museum_id'] or '-':<16} "
                   f"{a['display_name']}")


@accounts.command("set")
@click.argument("username")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="active approves a pending account.")
@click.option("--role", type=click.Choice(ROLES), default=None)
@click.option("--museum", "museum_id", default=None)
@click.option("--password-stdin", is_flag=True, help="Set a new password read from stdin.")
def accounts_set(username: str, status: str | None, role: str | None, museum_id: str | None,
                 password_stdin: bool) -> None:
    """Approve, disable or change account USERNAME."""
    store = _accounts()
    account = store.by_username(username)
    if account is None:
        raise click.ClickException(f"no account {username!r}")
    values: dict[str, object] = {}
    if status:
        values["status"] = status
    if role:
        values["role"] = role
    if museum_id:
        values["museum_id"] = museum_id
    if password_stdin:
        values["password"] = sys.stdin.readline().rstrip("\r\n")
    try:
        account = store.update(account.id, **values)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{account.username}: {account.role}, {account.status}"
               + (f", museum {account.museum_id}" if account.museum_id else ""))


@click.group("tokens")
def tokens() -> None:
    """API tokens (bearer tokens for /api/); stored hashed, shown once."""


@tokens.command("create")
@click.argument("username")
@click.option("--label", default="", help="What the token is for.")
def tokens_create(username: str, label: str) -> None:
    """Create an API token for USERNAME and print it (the only time it is shown)."""
    store = _accounts()
    account = store.by_username(username)
    if account is None:
        raise click.ClickException(f"no account {username!r}")
    token, _record = store.create_token(account.id, label)
    click.echo(token)
    if account.status != "active":
        click.echo(f"note: {username} is {account.status}; the token works once the account is active", err=True)


@click.command("probe")
@click.argument("museum_id")
@click.option("--json", "as_json", is_flag=True, help="Print the probe report as JSON.")
def museums_probe(museum_id: str, as_json: bool) -> None:
    """Probe museum MUSEUM_ID's feed: formats, sets and sample records as the hub would map them."""
    from web.museums.feeds import probe_museum

    hub = _hub()
    museum = hub.registry.get_museum(museum_id)
    if museum is None:
        raise click.ClickException(f"no museum {museum_id!r} is registered (see `srom museums list`)")
    report = probe_museum(hub, museum)
    if as_json:
        click.echo(json.dumps({"ok": True, "probe": report.as_json()}, ensure_ascii=False, indent=2))
    else:
        if report.identify:
            i = report.identify
            click.echo(f"{i['repository_name']}: granularity {i['granularity']}, deletedRecord "
                       f"{i['deleted_record']}, earliest {i['earliest_datestamp']}")
        if report.formats:
            click.echo("formats: " + ", ".join(f"{f['prefix']}{'' if f['mapped'] else ' (not mapped)'}"
                                               for f in report.formats))
        if report.sets:
            click.echo("sets: " + ", ".join(s["spec"] for s in report.sets))
        for s in report.samples:
            shown = s.title or s.label or ""
            status = f"{s.triples} triples" if s.mapped else ("deleted" if s.deleted else f"NOT MAPPED: {s.error}")
            click.echo(f"  {s.identifier}: {shown}  [{s.date or '?'}; {s.place or '?'}; {status}]")
        for m in report.messages:
            click.echo(f"{m.level}: {m.text}", err=True)
    if not report.ok:
        sys.exit(1)
