"""``srom accounts add|list|set`` and ``srom tokens create``: the accounts service from the terminal.

Passwords
come from a hidden prompt or the first line of stdin (``--password-stdin``), never from an argument
(which would land in the shell history and the process list). A token is printed once, on stdout.
"""

from __future__ import annotations

import sys

import click

from web.accounts.database import ROLES, STATUSES
from web.cli.context import echo_json, pass_hub
from web.hub import Hub


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
@pass_hub
def accounts_add(hub: Hub, username: str, role: str, museum_id: str | None, display_name: str, email: str | None,
                 password_stdin: bool) -> None:
    """Create an active account USERNAME."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    account = hub.accounts.create(username, password, role, museum_id=museum_id, display_name=display_name,
                                  email=email)
    click.echo(f"created {account.role} account {account.username}"
               + (f" for museum {account.museum_id}" if account.museum_id else ""))


@accounts.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_hub
def accounts_list(hub: Hub, as_json: bool) -> None:
    """List accounts (pending ones first)."""
    rows = [a.as_json() for a in hub.accounts.list()]
    if as_json:
        echo_json(accounts=rows)
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
@pass_hub
def accounts_set(hub: Hub, username: str, status: str | None, role: str | None, museum_id: str | None,
                 password_stdin: bool) -> None:
    """Approve, disable or change account USERNAME."""
    account = hub.accounts.by_username(username)
    if account is None:
        raise click.ClickException(f"no account {username!r}")
    values: dict[str, str] = {}
    if status:
        values["status"] = status
    if role:
        values["role"] = role
    if museum_id:
        values["museum_id"] = museum_id
    if password_stdin:
        values["password"] = sys.stdin.readline().rstrip("\r\n")
    account = hub.accounts.update(account.id, by=None, **values)
    click.echo(f"{account.username}: {account.role}, {account.status}"
               + (f", museum {account.museum_id}" if account.museum_id else ""))


@click.group("tokens")
def tokens() -> None:
    """API tokens (bearer tokens for /api/); stored hashed, shown once."""


@tokens.command("create")
@click.argument("username")
@click.option("--label", default="", help="What the token is for.")
@pass_hub
def tokens_create(hub: Hub, username: str, label: str) -> None:
    """Create an API token for USERNAME and print it (the only time it is shown)."""
    account = hub.accounts.by_username(username)
    if account is None:
        raise click.ClickException(f"no account {username!r}")
    token, _record = hub.accounts.create_token(account.id, label)
    click.echo(token)
    if account.status != "active":
        click.echo(f"note: {username} is {account.status}; the token works once the account is active", err=True)
