"""`flask reminders`: mail owners whose offer or request is about to expire, and
attendees the day before their activity."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from wijk.clock import local_now
from wijk.content.expiry import send_reminders
from wijk.signups import notices
from wijk.sitelinks import required_site_address


@click.command("reminders")
@click.option(
    "--base-url",
    help="The site's address for links in the mail, e.g. "
    "https://wijk.example.nl (default: FLASK_PREFERRED_URL_SCHEME://FLASK_SERVER_NAME).",
)
@with_appcontext
def reminders_command(base_url: str | None) -> None:
    """Mail owners whose offer or request expires within 3 days, and attendees whose
    activity is tomorrow. Idempotent; safe to run from cron every hour."""
    base_url = required_site_address(base_url)
    with current_app.test_request_context(base_url=base_url):  # url_for outside a request
        sent = send_reminders(local_now().date())
        reminded = notices.send_reminders(local_now())
    click.echo(f"offer_expiry         queued {sent:>6}")
    click.echo(f"signup_reminder      queued {reminded:>6}")


COMMANDS = [reminders_command]
