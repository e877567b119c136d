"""`flask purge` (the retention schedule), `flask restore-account` (the only way to open
a sealed copy) and `flask privacy-register` (the processing register on the command
line)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from wijk.extensions import db
from wijk.models import SealedAccount
from wijk.privacy import declarations
from wijk.privacy.erasure import RestoreError, find_sealed, restore
from wijk.privacy.retention import SCHEDULE, purge


@click.command("restore-account")
@click.argument("sealed_id", type=int, required=False)
@click.option("--email", help="Find the sealed copy of this address (decrypts each copy).")
@with_appcontext
def restore_account_command(sealed_id: int | None, email: str | None) -> None:
    """Recreate a deleted account from its sealed copy, on the person's request."""
    sealed: SealedAccount | None
    try:
        if email:
            found = find_sealed(email)
            if not found:
                raise click.ClickException(f"no sealed copy for {email}")
            sealed = found[-1]
        elif sealed_id is not None:
            sealed = db.session.get(SealedAccount, sealed_id)
            if sealed is None:
                raise click.ClickException(f"no sealed copy {sealed_id}")
        else:
            raise click.UsageError("give a sealed copy id or --email")
        former = sealed.former_user_id
        user = restore(sealed)
    except RestoreError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"restored account {former} as account {user.id} ({user.email})")


@click.command("privacy-register")
@click.option("--format", "fmt", type=click.Choice(["md", "csv"]), default="md")
@with_appcontext
def privacy_register_command(fmt: str) -> None:
    """Print the processing register (GDPR art. 30) generated from the declarations."""
    if fmt == "csv":
        click.echo(declarations.register_csv(), nl=False)
        return
    headings = {c: c.capitalize() for c in declarations.REGISTER_COLUMNS}
    controller = declarations.controller()
    click.echo(
        declarations.register_markdown(
            headings,
            "Processing register (GDPR art. 30)",
            f"Controller: {controller['name']}, {controller['contact']}.",
        ),
        nl=False,
    )


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list what would be erased.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Apply the retention schedule. Idempotent; safe to run from cron every hour."""
    listing: dict[str, list] = {}
    counts = purge(dry_run=dry_run, listing=listing)
    verb = "would erase" if dry_run else "erased"
    for rule in SCHEDULE:
        click.echo(f"{rule.name:<20} {verb} {counts[rule.name]:>6}  ({rule.description})")
        if dry_run and listing[rule.name]:
            shown = ", ".join(str(i) for i in listing[rule.name][:50])
            more = len(listing[rule.name]) - 50
            click.echo(f"    {rule.subject} {shown}" + (f" and {more} more" if more > 0 else ""))


COMMANDS = [purge_command, restore_account_command, privacy_register_command]
