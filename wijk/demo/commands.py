"""`flask demo`, registered through COMMANDS (see wijk.cli)."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from wijk.demo.bulk import (
    DEFAULT_NEIGHBOURHOODS,
    DEFAULT_SEED,
    DEFAULT_USERS,
    GENERATED_EMAIL,
    generate_bulk,
)
from wijk.demo.content import CONTENT_FILE, DemoAccount, DemoDataError, load_content
from wijk.demo.managers import DemoCodeRefused, demo_code, ensure_managers
from wijk.demo.seed import DEMO_PASSWORD, seed_demo
from wijk.demo.vocabulary import load_vocabulary
from wijk.extensions import db
from wijk.models import User
from wijk.models.base import utcnow
from wijk.models.neighbourhood import slugify


@click.command("demo")
@click.option(
    "--activities",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also generate this many benchmark activities (past and future), on top of "
    "the demo content. Each run with this option adds that many more.",
)
@click.option(
    "--neighbourhoods",
    type=click.IntRange(min=3),
    default=None,
    help=f"Benchmark mode: top the neighbourhoods up to this total, the three demo ones "
    f"included. [default: {DEFAULT_NEIGHBOURHOODS}]",
)
@click.option(
    "--users",
    type=click.IntRange(min=0),
    default=None,
    help=f"Benchmark mode: top the user accounts up to this total. Generated users are "
    f"bewoner00001@example.nl and up, with the demo password. [default: {DEFAULT_USERS}]",
)
@click.option(
    "--seed",
    type=int,
    default=DEFAULT_SEED,
    show_default=True,
    help="Seed of the random generators, for reproducible benchmark data.",
)
@click.option(
    "--content",
    "content_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=CONTENT_FILE,
    show_default="the Dutch demo in wijk/demo/content.toml",
    help="Read the demo content from this TOML file.",
)
@with_appcontext
def demo_command(
    activities: int, neighbourhoods: int | None, users: int | None, seed: int, content_file: Path
) -> None:
    """Create or migrate the database and add demo content (safe to run again)."""
    benchmark = bool(activities) or neighbourhoods is not None or users is not None
    try:
        # Both files are checked before the database is touched.
        content = load_content(content_file)
        words = load_vocabulary() if benchmark else None
    except DemoDataError as error:
        raise click.ClickException(str(error)) from error

    started = time.perf_counter()
    upgrade()
    today = local_today()

    added = seed_demo(content, today, utcnow())
    if added:
        click.echo(
            "Demo content added: {neighbourhoods} neighbourhoods, {organisations} "
            "organisations, {activities} activities, {offers} offers and requests, "
            "{accounts} accounts, {city_staff} city staff.".format(**added)
        )
    else:
        click.echo("Demo content is already present; nothing added.")
    if ensure_managers(content, utcnow()):
        click.echo("Demo managers appointed in their neighbourhoods.")
    db.session.commit()

    if benchmark:
        generate_bulk(
            activities=activities,
            neighbourhoods=DEFAULT_NEIGHBOURHOODS if neighbourhoods is None else neighbourhoods,
            users=DEFAULT_USERS if users is None else users,
            seed=seed,
            today=today,
            now=utcnow(),
            words=words,
        )
        click.echo(f"Done in {time.perf_counter() - started:.1f} s.")

    print_accounts(content.accounts)
    cities = ", ".join(f"/gemeente/{slugify(c.name)}" for c in content.municipalities)
    if cities:
        click.echo(f"City pages: {cities}")


def local_today() -> date:
    """Activity times are local wall-clock time, so "today" is the local date."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Amsterdam")
    return datetime.now(zone).date()


def print_accounts(accounts: tuple[DemoAccount, ...]) -> None:
    config = current_app.config
    click.echo("")
    click.echo(f"Demo accounts (password for each: {DEMO_PASSWORD}):")
    width = max(len(a.email) for a in accounts)
    for account in accounts:
        click.echo(f"  {account.email:<{width}}  {account.name}, {account.role}")
    if db.session.scalar(
        select(func.count()).select_from(User).where(User.email.like("bewoner%@example.nl"))
    ):
        click.echo(
            f"  Generated benchmark users ({GENERATED_EMAIL.format(1)} and up) "
            f"have the same password."
        )
    print_two_step_login(accounts)
    click.echo("")
    if config.get("MAIL_SERVER"):
        click.echo(
            f"Mail goes to the SMTP server {config['MAIL_SERVER']}:{config.get('MAIL_PORT')}."
        )
    else:
        click.echo(
            f"Mail is not sent: without MAIL_SERVER it is written as .eml files to "
            f"{config['MAIL_FILE_DIR']}"
        )
        click.echo("(by `flask run`, or by `flask outbox` when the inline worker is off).")


def print_two_step_login(accounts: tuple[DemoAccount, ...]) -> None:
    """How to log in as a demo manager or admin: their pages need two-step login. The demo
    switched it on for managers; an admin sets it up at the first visit to /admin."""
    for account in accounts:
        if account.is_admin and not account.manages:
            click.echo("")
            click.echo(
                f"The admin ({account.email}) switches two-step login on at the first visit "
                "to /admin; the code the set-up asks for comes from an authenticator app, or:"
            )
            click.echo(f"  flask demo-code {account.email}")
            continue
        user = db.session.scalar(select(User).where(User.email == account.email))
        if not account.manages or user is None or not user.totp_secret:
            continue
        click.echo("")
        click.echo(
            f"Log in as neighbourhood manager: {account.email} with the password above. "
            "Two-step login is on for this account, so the site then asks for a code. "
            "Get it with:"
        )
        click.echo(f"  flask demo-code {account.email}")
        click.echo(
            f"or add the key {user.totp_secret} to an authenticator app. Then open "
            + ", ".join(f"/beheer/{slug}" for slug in account.manages)
            + "."
        )


@click.command("demo-code")
@click.argument("email")
@click.option(
    "--content",
    "content_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=CONTENT_FILE,
    show_default="the Dutch demo in wijk/demo/content.toml",
    help="The demo content that lists the demo accounts.",
)
@with_appcontext
def demo_code_command(email: str, content_file: Path) -> None:
    """Print the current two-step login code of a demo account (demo accounts only)."""
    try:
        code = demo_code(load_content(content_file), email)
    except (DemoDataError, DemoCodeRefused) as error:
        raise click.ClickException(str(error)) from error
    click.echo(code)


COMMANDS = [demo_command, demo_code_command]
