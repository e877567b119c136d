"""`flask backup` and `flask restore-backup`: run the first from cron (docs/deploy.md)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from wijk.backup import services
from wijk.models.base import utcnow


@click.command("backup")
@click.option(
    "--to",
    "to",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write to (default: BACKUP_DIR).",
)
@with_appcontext
def backup_command(to: Path | None) -> None:
    """Write an encrypted, consistent copy of the database; remove expired copies."""
    now = utcnow()
    try:
        path = services.take(now, to)
    except services.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"wrote {path}")
    for old in services.prune(now, to):
        click.echo(f"removed {old} (older than {services.keep_period().days} days)")


@click.command("restore-backup")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore_backup_command(file: Path, yes: bool) -> None:
    """Replace the database with FILE, then apply every erasure recorded since."""
    if not yes:
        click.confirm(f"Replace the whole database with {file}?", abort=True)
    try:
        result = services.restore(file, utcnow())
    except services.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"restored the backup of {result.taken_at.isoformat(timespec='seconds')}; "
        f"applied {result.replayed} erasures recorded since, kept "
        f"{result.sealed} sealed copies made since, purged "
        f"{sum(result.purged.values())} rows due"
    )


COMMANDS = [backup_command, restore_backup_command]
