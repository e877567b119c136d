"""The outbox worker: claims due rows, delivers them and records the outcome.

Delivery is at-least-once. A row becomes `sent` only after the transport (SMTP relay or
.eml file) accepted it, and every outcome is committed per message, so a crash can at
worst repeat the one message that was in flight; it never loses one.
"""

from __future__ import annotations

import atexit
import contextlib
import email.policy
import hashlib
import hmac
import logging
import os
import re
import signal
import smtplib
import ssl
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.charset import QP, Charset
from email.header import Header
from email.mime.text import MIMEText
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Protocol

import flask_mail
from flask import Flask, current_app
from sqlalchemy import and_, case, literal, or_, select, update

from wijk.extensions import db, mail
from wijk.models.base import utcnow
from wijk.models.outbox import FAILED, QUEUED, SENDING, SENT, OutboxMessage

log = logging.getLogger(__name__)

# A `sending` row older than this belongs to a worker that died; it is claimed again.
DEFAULT_CLAIM_TIMEOUT = timedelta(minutes=10)
# Retry delays after a failed attempt: 60 s, 2 min, 4 min, ... capped at four hours.
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=4)
# When the transport itself is down, the batch waits this long; no attempt is counted,
# because an outage of the relay is not the message's fault.
OUTAGE_DELAY = timedelta(minutes=1)
DEFAULT_SMTP_TIMEOUT = 30.0
INLINE_INTERVAL = 2.0
MAX_ERROR_LENGTH = 1000

# Headers the worker sets itself; the `headers` JSON may not override them.
_MANAGED_HEADERS = frozenset(
    {
        "bcc",
        "cc",
        "content-transfer-encoding",
        "content-type",
        "date",
        "from",
        "message-id",
        "mime-version",
        "reply-to",
        "return-path",
        "sender",
        "subject",
        "to",
    }
)
# RFC 5322 field names: printable US-ASCII except the colon.
_FIELD_NAME = re.compile(r"^[!-9;-~]{1,76}$")


class TransportUnavailable(Exception):
    """The SMTP relay or the mail directory cannot be used right now; retry later."""


class _PermanentError(Exception):
    """A message that can never be delivered as it is (bad header, 5xx refusal)."""


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


@dataclass(frozen=True)
class _Outgoing:
    """A plain copy of a claimed row, so delivery never lazy-loads expired ORM state."""

    id: int
    to_addr: str
    reply_to: str | None
    subject: str
    body_text: str | None
    body_html: str | None
    headers: dict[str, Any]
    attempts: int
    created_at: datetime

    @classmethod
    def of(cls, row: OutboxMessage) -> _Outgoing:
        return cls(
            id=row.id,
            to_addr=row.to_addr,
            reply_to=row.reply_to,
            subject=row.subject,
            body_text=row.body_text,
            body_html=row.body_html,
            headers=dict(row.headers or {}),
            attempts=row.attempts,
            created_at=row.created_at,
        )


# --- claiming --------------------------------------------------------------------------


def _claim_timeout() -> timedelta:
    seconds = current_app.config.get("OUTBOX_CLAIM_TIMEOUT")
    return timedelta(seconds=float(seconds)) if seconds else DEFAULT_CLAIM_TIMEOUT


def _due(now: datetime):
    """Rows a worker may take: queued and due, or `sending` under an expired claim."""
    cutoff = now - _claim_timeout()
    return or_(
        and_(OutboxMessage.status == QUEUED, OutboxMessage.next_attempt_at <= now),
        and_(
            OutboxMessage.status == SENDING,
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
    reclaimed = OutboxMessage.status == SENDING
    claim = (
        update(OutboxMessage)
        .where(id_filter, due)
        .values(
            status=SENDING,
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


# --- building messages -----------------------------------------------------------------


def _sender() -> str:
    sender = current_app.config.get("MAIL_DEFAULT_SENDER")
    if isinstance(sender, (tuple, list)):
        sender = f"{sender[0]} <{sender[1]}>"
    if not sender:
        raise TransportUnavailable("MAIL_DEFAULT_SENDER is not set")
    return str(sender)


def message_id_for(message_id: int, created_at: datetime) -> str:
    """A Message-ID that is stable per row (a repeated delivery can be recognised as the
    same mail) but keyed, so it does not reveal how many mails the site sends."""
    domain = parseaddr(_sender())[1].rpartition("@")[2] or "wijk.localhost"
    key = current_app.config["SECRET_KEY"].encode()
    token = hmac.new(key, f"outbox:{message_id}:{created_at.isoformat()}".encode(), hashlib.sha256)
    return f"<{token.hexdigest()[:32]}@{domain}>"


def _extra_headers(headers: dict[str, Any]) -> dict[str, str]:
    """Validate the row's extra headers: no CR/LF (header injection), no overriding the
    headers the worker owns; non-ASCII values are RFC 2047 encoded."""
    result: dict[str, str] = {}
    for name, raw in headers.items():
        value = str(raw)
        if not _FIELD_NAME.match(name) or name.lower() in _MANAGED_HEADERS:
            raise _PermanentError(f"header {name!r} may not be set by the outbox")
        if "\r" in value or "\n" in value:
            raise _PermanentError(f"header {name!r} contains a line break")
        if not value.isascii():
            value = Header(value, "utf-8").encode()
        result[name] = value
    return result


_WIRE = email.policy.compat32.clone(linesep="\r\n")


def _quoted_printable_utf8() -> Charset:
    charset = Charset("utf-8")
    charset.body_encoding = QP
    return charset


class _Message(flask_mail.Message):
    """Flask-Mail registers utf-8 without a body encoding, so a long line (a newsletter
    paragraph of HTML) goes out as-is and strict servers refuse it (RFC 5321: at most
    998 characters). Quoted-printable keeps every line short and any text intact."""

    def _mimetext(self, text: str | None, subtype: str = "plain") -> MIMEText:
        return MIMEText(text or "", _subtype=subtype, _charset=_quoted_printable_utf8())

    def as_bytes(self) -> bytes:
        """Serialise with the compat32 policy: the headers are already encoded, and the
        SMTP policy Flask-Mail sets re-parses every header of every message, which made
        serialising cost more than sending."""
        message = self._message()
        message.policy = _WIRE
        return message.as_bytes()


def _build(out: _Outgoing) -> flask_mail.Message:
    """The e-mail for one row: text with an HTML alternative when there is one."""
    if not out.to_addr or "@" not in out.to_addr:
        raise _PermanentError("no valid recipient address")
    message = _Message(
        subject=out.subject,
        recipients=[out.to_addr],
        body=out.body_text or "",
        html=out.body_html or None,
        sender=_sender(),
        reply_to=out.reply_to or None,
        extra_headers=_extra_headers(out.headers) or None,
        date=time.time(),
    )
    message.msgId = message_id_for(out.id, out.created_at)
    if message.has_bad_headers():
        raise _PermanentError("line break in an address or the subject")
    return message


# --- transports ------------------------------------------------------------------------


class _Transport(Protocol):
    def send(self, out: _Outgoing, message: flask_mail.Message) -> None: ...

    def close(self) -> None: ...


class _SmtpConnection(flask_mail.Connection):
    """Flask-Mail's connection with a socket timeout and certificate-checked TLS, which
    its own configure_host lacks: a hung relay must not freeze the worker."""

    def __init__(self, state: Any, timeout: float) -> None:
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP:
        state = self.mail
        context = ssl.create_default_context()
        host: smtplib.SMTP
        if state.use_ssl:
            host = smtplib.SMTP_SSL(
                state.server, int(state.port), timeout=self.timeout, context=context
            )
        else:
            host = smtplib.SMTP(state.server, int(state.port), timeout=self.timeout)
        try:
            host.set_debuglevel(int(state.debug))
            if state.use_tls:
                host.starttls(context=context)
            if state.username and state.password:
                host.login(state.username, state.password)
        except BaseException:
            host.close()
            raise
        return host


class _SmtpTransport:
    """One SMTP session for a whole batch, through Flask-Mail."""

    def __init__(self) -> None:
        config = current_app.config
        # Flask-Mail reads its settings once, at init_app; build them from the live
        # config instead. Its TESTING default (suppress sending) is ignored on purpose:
        # a suppressed send would mark a row `sent` that nobody received.
        state = mail.init_mail(config, current_app.debug, testing=False)
        state.suppress = False
        timeout = float(config.get("MAIL_TIMEOUT") or DEFAULT_SMTP_TIMEOUT)
        self._stack = contextlib.ExitStack()
        try:
            self.connection = self._stack.enter_context(_SmtpConnection(state, timeout))
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportUnavailable(f"SMTP connection failed: {_describe(exc)}") from exc

    def send(self, out: _Outgoing, message: flask_mail.Message) -> None:
        self.connection.send(message)

    def close(self) -> None:
        try:
            self._stack.close()
        except (OSError, smtplib.SMTPException):
            host = self.connection.host
            if host is not None:
                host.close()


class _FileTransport:
    """Writes each message as an RFC 5322 .eml file, for development without a relay."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)
        try:
            # The files hold links with tokens and addresses: readable by the owner only.
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise TransportUnavailable(f"mail directory unusable: {exc}") from exc

    def send(self, out: _Outgoing, message: flask_mail.Message) -> None:
        data = message.as_bytes()
        # The name comes from the row only, never from user input.
        name = f"{out.created_at:%Y%m%dT%H%M%S}-{out.id:08d}.eml"
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, self.directory / name)  # readers never see half a file
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        flask_mail.email_dispatched.send(current_app._get_current_object(), message=message)

    def close(self) -> None:
        pass


def _uses_smtp() -> bool:
    config = current_app.config
    return bool(config.get("MAIL_SERVER")) and not config.get("MAIL_SUPPRESS_SEND")


def describe_transport() -> str:
    """Where mail goes, in words, for the CLI and logs."""
    config = current_app.config
    if _uses_smtp():
        return f"SMTP {config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    return f".eml files in {config['MAIL_FILE_DIR']}"


def _open_transport() -> _Transport:
    _sender()
    if _uses_smtp():
        return _SmtpTransport()
    return _FileTransport(current_app.config["MAIL_FILE_DIR"])


# --- recording outcomes ----------------------------------------------------------------


def _describe(exc: BaseException) -> str:
    """A short error text without the recipient address (SMTP errors list it)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = sorted({f"{code} {_text(reply)}" for code, reply in exc.recipients.values()})
        text = "recipient refused: " + "; ".join(replies)
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"{type(exc).__name__}: {exc.smtp_code} {_text(exc.smtp_error)}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_LENGTH]


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _is_permanent(exc: smtplib.SMTPException) -> bool:
    """5xx replies about this message (unknown recipient, content refused) will not change
    on retry; a refused sender is a relay setting, so it is retried like a 4xx."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _reply in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


def _breaks_connection(exc: BaseException) -> bool:
    """Errors after which the SMTP session is gone, so the rest of the batch must wait."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # smtplib closes the session itself when RCPT is answered with 421.
        return any(code == 421 for code, _reply in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones: 30 s * 2**attempts, capped."""
    return min(BACKOFF_BASE * (2 ** min(attempts, 20)), BACKOFF_CAP)


def _set(message_id: int, **values: Any) -> None:
    """Write an outcome; the status guard keeps a row that is no longer ours untouched."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _record_failure(out: _Outgoing, error: str, *, permanent: bool) -> bool:
    """Count a failed attempt; return True when the row gave up and is now `failed`."""
    attempts = out.attempts + 1
    now = utcnow()
    if permanent or attempts >= int(current_app.config["OUTBOX_MAX_ATTEMPTS"]):
        _set(out.id, status=FAILED, attempts=attempts, last_error=error, claimed_at=None)
        log.warning("outbox message %s failed permanently: %s", out.id, error)
        return True
    _set(
        out.id,
        status=QUEUED,
        attempts=attempts,
        last_error=error,
        claimed_at=None,
        next_attempt_at=now + backoff(attempts),
    )
    log.info("outbox message %s will be retried (attempt %s): %s", out.id, attempts, error)
    return False


def _postpone(ids: Sequence[int], error: str) -> None:
    """Give rows back to the queue after a transport outage, without counting an attempt."""
    if not ids:
        return
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == SENDING)
        .values(
            status=QUEUED,
            claimed_at=None,
            last_error=error[:MAX_ERROR_LENGTH],
            next_attempt_at=utcnow() + OUTAGE_DELAY,
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
        .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == SENDING)
        .values(status=QUEUED, claimed_at=None)
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
    pending = [_Outgoing.of(row) for row in messages if row.status == SENDING]
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
    pending: list[_Outgoing], report: DeliveryReport, stop: threading.Event | None
) -> None:
    """Send `pending` front to back, removing each row once its outcome is committed."""
    try:
        transport = _open_transport()
    except TransportUnavailable as exc:
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
                transport.send(out, _build(out))
            except _PermanentError as exc:
                _record_failure(out, str(exc), permanent=True)
                report.failed += 1
            except (OSError, smtplib.SMTPException) as exc:
                permanent = isinstance(exc, smtplib.SMTPException) and _is_permanent(exc)
                if _record_failure(out, _describe(exc), permanent=permanent):
                    report.failed += 1
                else:
                    report.retrying += 1
                if _breaks_connection(exc):
                    db.session.commit()
                    pending.pop(0)
                    error = f"connection lost: {_describe(exc)}"
                    _postpone([rest.id for rest in pending], error)
                    report.retrying += len(pending)
                    report.transport_error = error
                    pending.clear()
                    return
            except Exception as exc:
                # Anything unforeseen counts as an attempt too, so one odd message can
                # neither stop the queue nor be retried for ever.
                log.exception("outbox message %s: unexpected delivery error", out.id)
                if _record_failure(out, _describe(exc), permanent=False):
                    report.failed += 1
                else:
                    report.retrying += 1
            else:
                _set(out.id, status=SENT, sent_at=utcnow(), claimed_at=None, last_error=None)
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


def run_forever(poll_interval: float = 5.0, app: Flask | None = None) -> None:
    """The `flask outbox` loop: drain, sleep, repeat, until Ctrl+C or SIGTERM.

    SIGTERM lets the current message finish and hands the rest of the batch back;
    database or transport errors are logged and retried after the interval.
    """
    if app is not None:
        with app.app_context():
            return run_forever(poll_interval)

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
                log.exception("outbox worker error; retrying in %s s", poll_interval)
                db.session.rollback()
            stop.wait(poll_interval)
    except KeyboardInterrupt:
        log.info("outbox worker interrupted")
    finally:
        db.session.remove()
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
    return None


# --- administration --------------------------------------------------------------------


def retry_failed(message_id: int, *, commit: bool = True) -> bool:
    """Put a `failed` message back in the queue with a fresh set of attempts.
    Returns False when there is no failed message with that id."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == FAILED)
        .values(status=QUEUED, attempts=0, next_attempt_at=utcnow(), claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    if commit:
        db.session.commit()
    return bool(result.rowcount)


def retry_all_failed(*, commit: bool = True) -> int:
    """Re-queue every `failed` message (after fixing the relay); returns how many."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == FAILED)
        .values(status=QUEUED, attempts=0, next_attempt_at=utcnow(), claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    if commit:
        db.session.commit()
    return int(result.rowcount or 0)


# --- the in-process worker of `flask run` ----------------------------------------------


class InlineWorker:
    """A daemon thread that drains the outbox every few seconds inside the dev server,
    so a newcomer finds the verification mail without starting `flask outbox`."""

    def __init__(self, app: Flask, interval: float = INLINE_INTERVAL) -> None:
        self.app = app
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wijk-outbox", daemon=True)
        self._last_error: str | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Finish the current message, hand the rest back and end the thread."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                drain(self.app, stop=self._stop)
                self._last_error = None
            except Exception as exc:
                # Never take the dev server down; log each distinct error once, not
                # every two seconds (e.g. before `flask db upgrade` has run).
                if repr(exc) != self._last_error:
                    self.app.logger.exception("outbox: inline delivery failed")
                    self._last_error = repr(exc)
            self._stop.wait(self.interval)


_inline_lock = threading.Lock()
_inline_worker: InlineWorker | None = None


def _is_reloader_watcher() -> bool:
    """With the reloader, `flask run` loads the app in a watcher process that only
    restarts the server; the serving child is the one that should deliver mail."""
    import click
    from flask.helpers import get_debug_flag
    from werkzeug.serving import is_running_from_reloader

    if is_running_from_reloader():
        return False
    context = click.get_current_context(silent=True)
    if context is None or context.info_name != "run":
        return False
    reload = context.params.get("reload")
    if reload is None:
        reload = get_debug_flag()
    return bool(reload)


def start_inline_worker(app: Flask, interval: float = INLINE_INTERVAL) -> InlineWorker | None:
    """Start the in-process worker once per process; later calls return the running one."""
    global _inline_worker
    with _inline_lock:
        if _inline_worker is not None and _inline_worker.is_alive():
            return _inline_worker
        if _is_reloader_watcher():
            return None
        worker = InlineWorker(app, interval)
        worker.start()
        _inline_worker = worker
        atexit.register(worker.stop, 2.0)
    with app.app_context():
        app.logger.info("outbox: delivering mail in-process to %s", describe_transport())
    return worker
