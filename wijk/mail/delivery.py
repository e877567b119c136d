"""The outbox worker: claims due rows, delivers them and records the outcome.

Delivery is at-least-once. A row becomes `sent` only after the transport (SMTP relay or
.eml file) accepted it, and every outcome is committed per message, so a crash can at
worst repeat the one message that was in flight; it never loses one. Timings (claim
timeout, back-off, outage delay) are read from the app config, whose defaults are in
wijk/config.py.
"""

from __future__ import annotations

import logging
import signal
import smtplib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import and_, case, literal, or_, select, update

from wijk.extensions import changed_rows, db
from wijk.mail import errors
from wijk.mail.message import Outgoing, build
from wijk.mail.transports import open_transport
from wijk.models.base import utcnow
from wijk.models.outbox import OutboxMessage, OutboxState

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    """What one delivery run did, so the CLI can say it and cron can alert on it."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    transport_error: str | None = None

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.released += other.released
        self.transport_error = other.transport_error or self.transport_error


def _seconds(key: str) -> timedelta:
    return timedelta(seconds=float(current_app.config[key]))


# --- claiming --------------------------------------------------------------------------


def _due(now: datetime):
    """Rows a worker may take: queued and due, or `sending` under an expired claim."""
    cutoff = now - _seconds("OUTBOX_CLAIM_TIMEOUT")
    return or_(
        and_(OutboxMessage.status == OutboxState.QUEUED, OutboxMessage.next_attempt_at <= now),
        and_(
            OutboxMessage.status == OutboxState.SENDING,
            or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < cutoff),
        ),
    )


def claim_batch(limit: int | None = None) -> list[OutboxMessage]:
    """Mark up to `limit` due rows `sending` and commit, so no other worker takes them.

    PostgreSQL locks the candidates with FOR UPDATE SKIP LOCKED, so concurrent workers
    pass each other by. SQLite has one writer at a time, so the claim is a single
    UPDATE ... WHERE id IN (SELECT ... LIMIT n) AND <still due> RETURNING id: atomic, and
    only the rows it really changed come back. Commits the current session.
    """
    limit = int(limit or current_app.config["OUTBOX_BATCH_SIZE"])
    now = utcnow()
    due = _due(now)
    candidates = (
        select(OutboxMessage.id)
        .where(due)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        locked = list(db.session.scalars(candidates.with_for_update(skip_locked=True)))
        if not locked:
            db.session.rollback()
            return []
        id_filter = OutboxMessage.id.in_(locked)
    else:
        id_filter = OutboxMessage.id.in_(candidates.scalar_subquery())

    # A reclaimed row was in flight when its worker died: count that as an attempt, so a
    # message that kills the worker every time still ends as `failed`.
    reclaimed = OutboxMessage.status == OutboxState.SENDING
    claim = (
        update(OutboxMessage)
        .where(id_filter, due)
        .values(
            status=OutboxState.SENDING,
            claimed_at=now,
            attempts=case((reclaimed, OutboxMessage.attempts + 1), else_=OutboxMessage.attempts),
            last_error=case(
                (reclaimed, literal("claim expired: the worker stopped while sending")),
                else_=OutboxMessage.last_error,
            ),
        )
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    claimed = list(db.session.scalars(claim))
    db.session.commit()
    if not claimed:
        return []
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(claimed))
        .order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


# --- recording outcomes ----------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones: base * 2**attempts, capped
    (OUTBOX_BACKOFF_BASE and OUTBOX_BACKOFF_CAP)."""
    base, cap = _seconds("OUTBOX_BACKOFF_BASE"), _seconds("OUTBOX_BACKOFF_CAP")
    return min(base * (2 ** min(attempts, 20)), cap)


def _set(message_id: int, **values: Any) -> None:
    """Write an outcome; the status guard keeps a row that is no longer ours untouched."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxState.SENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _record_failure(out: Outgoing, error: str, *, permanent: bool) -> bool:
    """Count a failed attempt; return True when the row gave up and is now `failed`."""
    attempts = out.attempts + 1
    if permanent or attempts >= int(current_app.config["OUTBOX_MAX_ATTEMPTS"]):
        _set(
            out.id, status=OutboxState.FAILED, attempts=attempts, last_error=error, claimed_at=None
        )
        log.warning("outbox message %s failed permanently: %s", out.id, error)
        return True
    _set(
        out.id,
        status=OutboxState.QUEUED,
        attempts=attempts,
        last_error=error,
        claimed_at=None,
        next_attempt_at=utcnow() + backoff(attempts),
    )
    log.info("outbox message %s will be retried (attempt %s): %s", out.id, attempts, error)
    return False


def _postpone(ids: Sequence[int], error: str) -> None:
    """Give rows back to the queue after a transport outage, without counting an attempt."""
    if not ids:
        return
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == OutboxState.SENDING)
        .values(
            status=OutboxState.QUEUED,
            claimed_at=None,
            last_error=error[: errors.MAX_ERROR_LENGTH],
            next_attempt_at=utcnow() + _seconds("OUTBOX_OUTAGE_DELAY"),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _release(ids: Sequence[int]) -> None:
    """Hand unprocessed rows back, still due, when the worker stops mid-batch."""
    if not ids:
        return
    db.session.rollback()
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == OutboxState.SENDING)
        .values(status=OutboxState.QUEUED, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


# --- delivering ------------------------------------------------------------------------


def deliver(
    messages: Sequence[OutboxMessage], *, stop: threading.Event | None = None
) -> DeliveryReport:
    """Deliver rows claimed by claim_batch over one transport session, committing each
    outcome. If the transport is down, the rows go back to the queue; if `stop` is set
    or the process is interrupted, the rows not yet handled are released."""
    report = DeliveryReport()
    pending = [Outgoing.of(row) for row in messages if row.status == OutboxState.SENDING]
    if len(pending) != len(messages):
        log.warning("deliver() skipped %s rows that were not claimed", len(messages) - len(pending))
    try:
        if pending and not (stop is not None and stop.is_set()):
            _deliver_pending(pending, report, stop)
    finally:
        if pending:
            # Stopped or interrupted: whatever was not recorded goes back, still due. The
            # one in flight may have been accepted already; then it is sent twice, which
            # beats losing it.
            report.released += len(pending)
            try:
                _release([out.id for out in pending])
            except Exception:
                # The claims then expire and another run takes the rows again.
                log.exception("could not release %s claimed outbox messages", len(pending))
    return report


def _deliver_pending(
    pending: list[Outgoing], report: DeliveryReport, stop: threading.Event | None
) -> None:
    """Send `pending` front to back, removing each row once its outcome is committed."""
    try:
        transport = open_transport()
    except errors.TransportUnavailable as exc:
        _postpone([out.id for out in pending], str(exc))
        log.warning("mail transport unavailable, %s messages wait: %s", len(pending), exc)
        report.retrying += len(pending)
        report.transport_error = str(exc)
        pending.clear()
        return

    try:
        while pending and not (stop is not None and stop.is_set()):
            out = pending[0]
            try:
                transport.send(out, build(out))
            except errors.PermanentError as exc:
                _record_failure(out, str(exc), permanent=True)
                report.failed += 1
            except (OSError, smtplib.SMTPException) as exc:
                permanent = isinstance(exc, smtplib.SMTPException) and errors.is_permanent(exc)
                if _record_failure(out, errors.describe(exc), permanent=permanent):
                    report.failed += 1
                else:
                    report.retrying += 1
                if errors.breaks_connection(exc):
                    db.session.commit()
                    pending.pop(0)
                    error = f"connection lost: {errors.describe(exc)}"
                    _postpone([rest.id for rest in pending], error)
                    report.retrying += len(pending)
                    report.transport_error = error
                    pending.clear()
                    return
            except Exception as exc:
                # Anything unforeseen counts as an attempt too, so one odd message can
                # neither stop the queue nor be retried for ever.
                log.exception("outbox message %s: unexpected delivery error", out.id)
                if _record_failure(out, errors.describe(exc), permanent=False):
                    report.failed += 1
                else:
                    report.retrying += 1
            else:
                _set(
                    out.id,
                    status=OutboxState.SENT,
                    sent_at=utcnow(),
                    claimed_at=None,
                    last_error=None,
                )
                report.sent += 1
            db.session.commit()
            pending.pop(0)  # only now: an outcome that failed to commit is released
    finally:
        transport.close()


def drain(app: Flask | None = None, *, stop: threading.Event | None = None) -> DeliveryReport:
    """Deliver everything that is due now, batch after batch.

    With `app`, runs in a fresh app context (and so its own session); without, in the
    current one, whose session it commits.
    """
    if app is not None:
        with app.app_context():
            return drain(stop=stop)
    report = DeliveryReport()
    while not (stop is not None and stop.is_set()):
        batch = claim_batch()
        if not batch:
            break
        report.add(deliver(batch, stop=stop))
        if report.transport_error:
            break  # the relay is down: leave the rest queued instead of hammering it
    return report


def run_once(app: Flask | None = None) -> int:
    """Drain the outbox once and return how many messages were sent."""
    return drain(app).sent


def run_forever(poll_interval: float | None = None, app: Flask | None = None) -> None:
    """The `flask outbox` loop: drain, sleep, repeat, until Ctrl+C or SIGTERM.

    SIGTERM lets the current message finish and hands the rest of the batch back;
    database or transport errors are logged and retried after the interval (by default
    OUTBOX_POLL_INTERVAL).
    """
    if app is not None:
        with app.app_context():
            return run_forever(poll_interval)
    interval = float(poll_interval or current_app.config["OUTBOX_POLL_INTERVAL"])

    stop = threading.Event()
    previous: Any = None
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:
        previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        while not stop.is_set():
            try:
                report = drain(stop=stop)
                if report.sent or report.failed:
                    log.info(
                        "outbox: %s sent, %s retrying, %s failed",
                        report.sent,
                        report.retrying,
                        report.failed,
                    )
            except Exception:
                log.exception("outbox worker error; retrying in %s s", interval)
                db.session.rollback()
            stop.wait(interval)
    except KeyboardInterrupt:
        log.info("outbox worker interrupted")
    finally:
        db.session.remove()
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
    return None


# --- re-queueing -----------------------------------------------------------------------


def _requeue_failed(*where: Any) -> int:
    return changed_rows(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxState.FAILED, *where)
        .values(status=OutboxState.QUEUED, attempts=0, next_attempt_at=utcnow(), claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def retry_failed(message_id: int, *, commit: bool = True) -> bool:
    """Put a `failed` message back in the queue with a fresh set of attempts.
    Returns False when there is no failed message with that id."""
    requeued = _requeue_failed(OutboxMessage.id == message_id)
    if commit:
        db.session.commit()
    return bool(requeued)


def retry_all_failed(*, commit: bool = True) -> int:
    """Re-queue every `failed` message (after fixing the relay); returns how many."""
    requeued = _requeue_failed()
    if commit:
        db.session.commit()
    return requeued
