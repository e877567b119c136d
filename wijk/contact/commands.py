"""`flask relay-inbound`: the receiver a mail server hands relay-alias mail to."""

from __future__ import annotations

import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from wijk.contact import receiver
from wijk.sitelinks import site_address

DEVELOPMENT_URL = "http://127.0.0.1:5000"


@click.command("relay-inbound")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2525, show_default=True, type=int)
@click.option(
    "--base-url",
    help="The site's address for block and report links, e.g. "
    "https://wijk.example.nl (default: FLASK_PREFERRED_URL_SCHEME://FLASK_SERVER_NAME, "
    "else the development server).",
)
@with_appcontext
def relay_inbound_command(host: str, port: int, base_url: str | None) -> None:
    """Receive mail for r-<token>@FLASK_RELAY_DOMAIN and relay it through the outbox."""
    base_url = site_address(base_url)
    if not base_url:  # the embedded default: links to `flask run` on this machine
        base_url = DEVELOPMENT_URL
        click.echo(
            f"links in relayed mail point at {base_url}; set FLASK_SERVER_NAME "
            "or pass --base-url for a real site",
            err=True,
        )
    server = receiver.controller(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        host,
        port,
        base_url,
    )  # the real app, for the receiver's thread
    server.start()
    click.echo(f"relay receiver for @{current_app.config['RELAY_DOMAIN']} on {host}:{port}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


COMMANDS = [relay_inbound_command]
