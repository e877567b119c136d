"""`flask pictures-sweep`: remove picture files that no item points at any more."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from wijk.pictures.services import sweep_unused


@click.command("pictures-sweep")
@with_appcontext
def pictures_sweep_command() -> None:
    """Remove picture files no item points at any more (after items were deleted by a
    database cascade, e.g. with an account). Safe to run from cron."""
    click.echo(f"picture files        removed {sweep_unused():>6}")


COMMANDS = [pictures_sweep_command]
