"""`flask digests`: queue the daily and weekly digests that are due."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from wijk.clock import utcnow
from wijk.follows.digest import send_digests


@click.command("digests")
@click.option(
    "--base-url",
    help="The site's address for links in the mail, e.g. "
    "https://wijk.example.nl (default: FLASK_PREFERRED_URL_SCHEME://FLASK_SERVER_NAME).",
)
@with_appcontext
def digests_command(base_url: str | None) -> None:
    """Queue the digests of followers whose day or week has not had one yet. One stamp
    per follower and period: idempotent, safe to run from cron every hour."""
    server_name = current_app.config.get("SERVER_NAME")
    if not base_url and server_name:
        base_url = f"{current_app.config['PREFERRED_URL_SCHEME']}://{server_name}"
    if not base_url:
        raise click.UsageError(
            "Links in the mail need the site's address: set "
            "FLASK_SERVER_NAME (and FLASK_PREFERRED_URL_SCHEME=https), "
            "or pass --base-url."
        )
    with current_app.test_request_context(base_url=base_url):  # url_for outside a request
        queued = send_digests(utcnow())
    for frequency, count in queued.items():
        click.echo(f"digest {frequency:<13} queued {count:>6}")


COMMANDS = [digests_command]
