"""`flask outbox` delivers queued mail; `flask outbox-retry` re-queues failed messages."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from wijk.mail import delivery
from wijk.mail.transports import describe_transport


@click.command("outbox")
@click.option("--once", is_flag=True, help="Deliver everything that is due, then exit.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds between two looks at the outbox (default: OUTBOX_POLL_INTERVAL).",
)
@with_appcontext
def outbox_command(once: bool, interval: float | None) -> None:
    """Deliver the e-mail in the outbox (runs until stopped, unless --once)."""
    if once:
        report = delivery.drain()
        click.echo(
            f"Sent {report.sent}, retrying later {report.retrying}, "
            f"failed {report.failed} ({describe_transport()})."
        )
        if report.transport_error:
            # A non-zero exit lets cron or a health check notice a dead relay.
            raise click.ClickException(f"mail transport unavailable: {report.transport_error}")
        return
    interval = interval or float(current_app.config["OUTBOX_POLL_INTERVAL"])
    click.echo(
        f"Delivering outbox mail to {describe_transport()} every {interval:g} s. Stop with Ctrl+C."
    )
    delivery.run_forever(interval)
    click.echo("Outbox worker stopped.")


@click.command("outbox-retry")
@click.argument("message_ids", nargs=-1, type=int)
@click.option("--all", "all_failed", is_flag=True, help="Re-queue every failed message.")
@with_appcontext
def outbox_retry_command(message_ids: tuple[int, ...], all_failed: bool) -> None:
    """Put failed messages back in the queue with fresh attempts (e.g. after fixing SMTP)."""
    if not message_ids and not all_failed:
        raise click.UsageError("Give one or more message ids, or --all.")
    if all_failed:
        click.echo(f"Re-queued {delivery.retry_all_failed()} failed messages.")
        return
    missing = [message_id for message_id in message_ids if not delivery.retry_failed(message_id)]
    click.echo(f"Re-queued {len(message_ids) - len(missing)} failed messages.")
    if missing:
        raise click.ClickException(
            "No failed message with id " + ", ".join(str(message_id) for message_id in missing)
        )


COMMANDS = [outbox_command, outbox_retry_command]
