"""Command-line entry points: every feature keeps its commands in its own `commands`
module with a COMMANDS list; this module only adds them to the app."""

from __future__ import annotations

from flask import Flask

from wijk.admin import commands as admin
from wijk.backup import commands as backup
from wijk.contact import commands as contact
from wijk.content import commands as content
from wijk.demo import commands as demo
from wijk.follows import commands as follows
from wijk.legal import commands as legal
from wijk.mail import commands as mail
from wijk.pictures import commands as pictures
from wijk.privacy import commands as privacy

FEATURE_COMMANDS = (
    admin.COMMANDS,
    backup.COMMANDS,
    content.COMMANDS,
    mail.COMMANDS,
    legal.COMMANDS,
    pictures.COMMANDS,
    privacy.COMMANDS,
    demo.COMMANDS,
    contact.COMMANDS,
    follows.COMMANDS,
)


def register(app: Flask) -> None:
    for commands in FEATURE_COMMANDS:
        for command in commands:
            app.cli.add_command(command)
