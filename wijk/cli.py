"""Command-line entry points: every feature keeps its commands in its own `commands`
module with a COMMANDS list; this module adds them to the app when a command line first
asks for one, so a web worker never imports them (nor the backups, the relay receiver,
the digests and Flask-Migrate they bring along)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from wijk.extensions import DeferredMigrate


class Commands(AppGroup):
    """`app.cli`: loads the feature commands and `flask db` on first use."""

    def __init__(self, app: Flask) -> None:
        super().__init__(app.name)
        self._app = app
        self._loaded = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load()
        return super().list_commands(ctx)

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            register(self._app)


def register(app: Flask) -> None:
    # The factory's app.cli loads these on first use, never a web worker.
    from wijk.admin import commands as admin  # noqa: PLC0415
    from wijk.backup import commands as backup  # noqa: PLC0415
    from wijk.contact import commands as contact  # noqa: PLC0415
    from wijk.content import commands as content  # noqa: PLC0415
    from wijk.demo import commands as demo  # noqa: PLC0415
    from wijk.follows import commands as follows  # noqa: PLC0415
    from wijk.legal import commands as legal  # noqa: PLC0415
    from wijk.mail import commands as mail  # noqa: PLC0415
    from wijk.pictures import commands as pictures  # noqa: PLC0415
    from wijk.privacy import commands as privacy  # noqa: PLC0415

    for module in (admin, backup, content, mail, legal, pictures, privacy, demo, contact, follows):
        for command in module.COMMANDS:
            app.cli.add_command(command)
    migrations = app.extensions["migrate"]
    if isinstance(migrations, DeferredMigrate):
        migrations.load()  # adds `flask db`
