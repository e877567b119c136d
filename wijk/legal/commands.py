"""`flask accessibility-check`: run it after every deployment (docs/deploy.md)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from wijk.legal import accessibility
from wijk.models.base import utcnow


@click.command("accessibility-check")
@with_appcontext
def accessibility_check_command() -> None:
    """Check the public pages for what a machine can check of WCAG 2.1 AA; the outcome
    appears in the accessibility statement."""
    check = accessibility.run(utcnow())
    click.echo(f"checked {check.pages} pages: {len(check.problems)} problems")
    for problem in check.problems:
        click.echo(f"  {problem['page']}: {problem['problem']}")


COMMANDS = [accessibility_check_command]
