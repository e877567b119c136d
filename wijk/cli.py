"""Command-line entry points: `flask demo`, `flask outbox`, `flask purge`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


def register(app: Flask) -> None:
    from wijk.demo import demo_command
    from wijk.mail.commands import outbox_command, outbox_retry_command

    app.cli.add_command(demo_command)
    app.cli.add_command(outbox_command)
    app.cli.add_command(outbox_retry_command)
    app.cli.add_command(purge_command)


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list what would be erased.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Apply the retention schedule. Idempotent; safe to run from cron every hour."""
    from wijk.privacy.retention import SCHEDULE, purge

    counts = purge(dry_run=dry_run)
    verb = "would erase" if dry_run else "erased"
    for rule in SCHEDULE:
        click.echo(f"{rule.name:<20} {verb} {counts[rule.name]:>6}  ({rule.description})")
