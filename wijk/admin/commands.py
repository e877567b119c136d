"""`flask create-admin EMAIL`: the first admin, or another one, from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from werkzeug.security import generate_password_hash

from wijk.accounts.forms import PASSWORD_MIN
from wijk.accounts.services import find_by_email, normalise_email
from wijk.admin.services import grant_admin
from wijk.extensions import db
from wijk.models import User
from wijk.models.base import utcnow


@click.command("create-admin")
@click.argument("email")
@click.option("--name", help="Name for a new account (default: the part before the @).")
@with_appcontext
def create_admin_command(email: str, name: str | None) -> None:
    """Make the verified account EMAIL an admin, or create it with a password you type.
    The admin must switch on two-step login at the first visit of the admin pages."""
    email = normalise_email(email)
    if "@" not in email:
        raise click.BadParameter("not an e-mail address", param_hint="EMAIL")
    user = find_by_email(email)
    if user is not None:
        if not user.is_verified or user.deleted_at is not None:
            raise click.ClickException(
                f"{email} has not confirmed its address (or is deleted); confirm it first."
            )
        if user.is_admin:
            click.echo(f"{email} is already an admin.")
            return
        grant_admin(user)
        click.echo(f"{email} is now an admin.")
        return
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < PASSWORD_MIN:
        raise click.ClickException(f"Use at least {PASSWORD_MIN} characters.")
    user = User(
        name=(name or email.split("@")[0]).strip(),
        email=email,
        password_hash=generate_password_hash(password),
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    grant_admin(user)
    click.echo(f"Created admin {email}. Log in and switch on two-step login.")


COMMANDS = [create_admin_command]
