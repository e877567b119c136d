"""Command-line entry points: `flask demo`, `flask outbox`, `flask purge`."""

from __future__ import annotations

import importlib

import click
from flask import Flask
from flask.cli import with_appcontext


def register(app: Flask) -> None:
    from wijk.mail.commands import outbox_command, outbox_retry_command

    app.cli.add_command(outbox_command)
    app.cli.add_command(outbox_retry_command)
    app.cli.add_command(purge_command)
    # Feature packages contribute their commands through a COMMANDS list.
    for module_name in FEATURE_COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if not module_name.startswith(error.name or "\0"):
                raise
            continue
        for command in module.COMMANDS:
            app.cli.add_command(command)


FEATURE_COMMAND_MODULES = (
    "wijk.demo.commands",
    "wijk.admin.commands",
    "wijk.manage.commands",
    "wijk.privacy.commands",
    "wijk.discover.commands",
    "wijk.signups.commands",
)


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list what would be erased.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Apply the retention schedule. Idempotent; safe to run from cron every hour."""
    from wijk.privacy.retention import SCHEDULE, purge

    listing: dict[str, list] = {}
    counts = purge(dry_run=dry_run, listing=listing)
    verb = "would erase" if dry_run else "erased"
    for rule in SCHEDULE:
        click.echo(f"{rule.name:<20} {verb} {counts[rule.name]:>6}  ({rule.description})")
        if dry_run and listing[rule.name]:
            shown = ", ".join(str(i) for i in listing[rule.name][:50])
            more = len(listing[rule.name]) - 50
            click.echo(f"    {rule.subject} {shown}" + (f" and {more} more" if more > 0 else ""))
