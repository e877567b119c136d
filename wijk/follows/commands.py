"""`flask digests`: queue the daily and weekly digests that are due."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from wijk.clock import utcnow
from wijk.follows.digest import send_digests
from wijk.sitelinks import required_site_address


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
    base_url = required_site_address(base_url)
    with current_app.test_request_context(base_url=base_url):  # url_for outside a request
        queued = send_digests(utcnow())
    for frequency, count in queued.items():
        click.echo(f"digest {frequency:<13} queued {count:>6}")


COMMANDS = [digests_command]
