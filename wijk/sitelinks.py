"""The site's own address for links in mail that a command queues (cron jobs, the relay
receiver): one rule for every command, so `--base-url` and FLASK_SERVER_NAME mean the
same everywhere."""

from __future__ import annotations

import click
from flask import current_app


def site_address(base_url: str | None) -> str | None:
    """`--base-url` if given, else FLASK_PREFERRED_URL_SCHEME://FLASK_SERVER_NAME, else None."""
    if base_url:
        return base_url
    server_name = current_app.config.get("SERVER_NAME")
    if server_name:
        return f"{current_app.config['PREFERRED_URL_SCHEME']}://{server_name}"
    return None


def required_site_address(base_url: str | None) -> str:
    """The site's address, or a usage error saying how to give it."""
    address = site_address(base_url)
    if not address:
        raise click.UsageError(
            "Links in the mail need the site's address: set "
            "FLASK_SERVER_NAME (and FLASK_PREFERRED_URL_SCHEME=https), "
            "or pass --base-url."
        )
    return address
