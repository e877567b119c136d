"""Command-line entry points: `flask demo`, `flask outbox`, `flask create-admin`."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from wijk.demo import demo_command
    from wijk.mail.commands import outbox_command

    app.cli.add_command(demo_command)
    app.cli.add_command(outbox_command)
