"""The transactional outbox end to end: rows written with the change that causes them,
delivered by the worker to a real SMTP server (aiosmtpd) or to .eml files, with retries,
back-off, outages and concurrent workers."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import func, insert, select, text, update

from wijk.extensions import db
from wijk.mail import Mail, queue_bulk, queue_mail, render_mail
from wijk.mail.commands import outbox_retry_command
from wijk.mail.delivery import backoff, claim_batch, deliver, drain, retry_failed, run_once
from wijk.mail.devworker import InlineWorker, start_inline_worker
from wijk.mail.message import message_id_for
from wijk.mail.transports import SmtpTransport, open_transport
from wijk.models import OutboxMessage, User
from wijk.models.base import utcnow
from wijk.models.outbox import OutboxState

ROOT = Path(__file__).resolve().parent.parent

# --- helpers ---------------------------------------------------------------------------


def add_messages(count: int, **fields) -> list[int]:
    """Insert `count` due messages directly (no templates needed) and commit."""
    now = utcnow()
    rows = []
    for n in range(count):
        row = {
            "kind": "test",
            "to_addr": f"ontvanger{n}@example.org",
            "subject": f"Bericht {n}",
            "body_text": f"Hallo {n}, dit is de tekst.",
            "body_html": f"<p>Hallo {n}, dit is <b>html</b>.</p>",
            "headers": {},
            "status": OutboxState.QUEUED,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        row.update(fields)
        rows.append(row)
    statement = insert(OutboxMessage).returning(OutboxMessage.id, sort_by_parameter_order=True)
    ids = list(db.session.scalars(statement, rows))
    db.session.commit()
    return ids


def make_due() -> None:
    db.session.execute(
        update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def statuses() -> dict[str, int]:
    db.session.expire_all()
    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    return dict(db.session.execute(query).all())


def fetch(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def mail_files(app) -> list[Path]:
    directory = Path(app.config["MAIL_FILE_DIR"])
    return sorted(directory.glob("*.eml")) if directory.exists() else []


# --- writing ---------------------------------------------------------------------------


@pytest.fixture
def test_templates(app):
    """A private e-mail template, so queue_mail is tested without the real templates."""
    app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "email/_outbox_test.subject.txt": "Welkom, {{ name }}",
                    "email/_outbox_test.txt": "Hallo {{ name }}, bevestig je adres.",
                    "email/_outbox_test.html": "<p>Hallo {{ name }}, bevestig je adres.</p>",
                }
            ),
            app.jinja_env.loader,
        ]
    )


def _committed_count(model) -> int:
    """Count rows through a second connection: only committed rows are visible there."""
    with db.engine.connect() as other:
        return other.execute(select(func.count()).select_from(model)).scalar_one()


def test_queue_mail_is_written_in_the_transaction_of_the_change(app, test_templates):
    user = User(name="Anna", email="anna@example.org", password_hash="x")
    db.session.add(user)
    queue_mail("verify", user.email, "_outbox_test", name=user.name)
    db.session.flush()
    assert _committed_count(OutboxMessage) == 0  # not visible before the commit

    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0

    user = User(name="Bram", email="bram@example.org", password_hash="x")
    db.session.add(user)
    queue_mail("verify", user.email, "_outbox_test", name=user.name, reply_to="a@example.org")
    db.session.commit()
    assert _committed_count(OutboxMessage) == 1
    assert _committed_count(User) == 1
    row = db.session.scalars(select(OutboxMessage)).one()
    assert (row.status, row.attempts, row.to_addr) == (OutboxState.QUEUED, 0, "bram@example.org")
    assert row.subject == "Welkom, Bram"
    assert "bevestig" in row.body_text and row.body_html.startswith("<p>")


_COLUMNS = (
    "kind",
    "to_addr",
    "reply_to",
    "subject",
    "body_text",
    "body_html",
    "headers",
    "status",
    "attempts",
    "claimed_at",
    "last_error",
    "sent_at",
)


def test_queue_bulk_writes_the_rows_queue_mail_would(app, test_templates):
    queue_mail(
        "relay",
        "anna@example.org",
        "_outbox_test",
        name="Anna",
        reply_to="Bram <bram@example.org>",
        headers={"Auto-Submitted": "auto-replied"},
    )
    db.session.commit()
    single = db.session.scalars(select(OutboxMessage)).one()

    now = utcnow().replace(microsecond=0)
    mail = Mail(
        "anna@example.org",
        *render_mail("_outbox_test", None, name="Anna"),
        reply_to="Bram <bram@example.org>",
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert queue_bulk("relay", [mail], now=now) == 1
    db.session.commit()
    bulk = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id != single.id)).one()

    assert [getattr(bulk, c) for c in _COLUMNS] == [getattr(single, c) for c in _COLUMNS]
    assert bulk.status is OutboxState.QUEUED and bulk.attempts == 0
    assert bulk.created_at == bulk.next_attempt_at == now  # due at once, stamped by the caller


def test_queue_bulk_takes_a_generator_larger_than_one_insert(app):
    now = utcnow()
    mails = (Mail(f"lid{n}@example.org", f"Nieuws {n}", "tekst", None) for n in range(2345))
    assert queue_bulk("newsletter", mails, now=now) == 2345
    db.session.commit()
    assert _committed_count(OutboxMessage) == 2345
    addresses = set(db.session.scalars(select(OutboxMessage.to_addr)))
    assert addresses == {f"lid{n}@example.org" for n in range(2345)}
    assert queue_bulk("newsletter", [], now=now) == 0


def test_outbox_state_is_stored_as_the_same_plain_strings(app):
    [message_id] = add_messages(1, status=OutboxState.FAILED)
    stored = db.session.execute(
        text("SELECT status FROM outbox_message WHERE id = :id"), {"id": message_id}
    ).scalar_one()
    assert stored == "failed" and type(stored) is str
    assert fetch(message_id).status is OutboxState.FAILED


# --- delivering over SMTP --------------------------------------------------------------


def test_worker_delivers_over_smtp_with_all_parts(app, smtp_server):
    [message_id] = add_messages(
        1,
        to_addr="lid@example.org",
        reply_to="Buurvrouw <buurvrouw@example.org>",
        subject="Reactie op je aanbod — ladder",
        body_text="Platte tekst: mag ik de ladder lenen?",
        body_html="<p>HTML: mag ik de <em>ladder</em> lenen?</p>",
        headers={"Auto-Submitted": "auto-generated", "X-Wijk-Kind": "relay"},
    )

    assert run_once() == 1

    [received] = smtp_server.messages
    email = received.message
    assert received.rcpt_tos == ["lid@example.org"]
    assert received.mail_from == "noreply@wijk.localhost"
    assert email["To"] == "lid@example.org"
    assert email["From"] == "Wijk <noreply@wijk.localhost>"
    assert email["Reply-To"] == "Buurvrouw <buurvrouw@example.org>"
    assert email["Subject"] == "Reactie op je aanbod — ladder"
    assert email["Auto-Submitted"] == "auto-generated"
    assert email["X-Wijk-Kind"] == "relay"
    assert email["Date"]
    row = fetch(message_id)
    assert email["Message-ID"] == message_id_for(row.id, row.created_at)
    assert email.get_body(("plain",)).get_content().strip() == (
        "Platte tekst: mag ik de ladder lenen?"
    )
    assert "<em>ladder</em>" in email.get_body(("html",)).get_content()
    assert row.status == OutboxState.SENT and row.sent_at is not None
    assert row.claimed_at is None and row.attempts == 0


def test_one_smtp_session_for_a_whole_batch(app, smtp_server):
    add_messages(50)
    assert run_once() == 50
    assert len(smtp_server.messages) == 50
    assert smtp_server.sessions == 1
    assert len({mail.peer for mail in smtp_server.messages}) == 1


def test_smtp_outage_loses_nothing_and_delivers_each_message_once(app, smtp_server):
    smtp_server.stop()
    ids = add_messages(200)

    report = drain()
    assert report.sent == 0 and report.failed == 0
    assert report.transport_error and "SMTP connection failed" in report.transport_error
    assert statuses() == {OutboxState.QUEUED: 200}
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert all(row.attempts == 0 for row in rows)  # an outage is not the message's fault
    assert all(row.next_attempt_at > utcnow() for row in rows if row.last_error)

    smtp_server.start()
    make_due()
    assert run_once() == 200
    assert statuses() == {OutboxState.SENT: 200}
    received = smtp_server.messages
    assert len(received) == 200
    assert len({mail.message["Message-ID"] for mail in received}) == 200
    assert sorted(mail.rcpt_tos[0] for mail in received) == sorted(
        f"ontvanger{n}@example.org" for n in range(len(ids))
    )
    assert run_once() == 0  # nothing left, nothing sent twice
    assert len(smtp_server.messages) == 200


def test_connection_lost_mid_batch_defers_the_rest(app, smtp_server):
    add_messages(5)
    smtp_server.refuse("ontvanger1@example.org", "421 4.3.2 Service shutting down")

    report = drain()
    assert (report.sent, report.retrying, report.failed) == (1, 4, 0)
    assert "connection lost" in report.transport_error
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [row.status for row in rows] == [OutboxState.SENT] + [OutboxState.QUEUED] * 4
    assert [row.attempts for row in rows] == [0, 1, 0, 0, 0]

    smtp_server.accept_all()
    make_due()
    assert run_once() == 4
    assert len({mail.message["Message-ID"] for mail in smtp_server.messages}) == 5
    assert len(smtp_server.messages) == 5


def test_temporary_refusals_back_off_then_fail_and_can_be_retried(app, smtp_server, runner):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    [message_id] = add_messages(1, to_addr="vol@example.org")
    smtp_server.refuse("vol@example.org", "451 4.2.2 Mailbox full, try later")

    for attempt in (1, 2):
        before = utcnow()
        assert run_once() == 0
        row = fetch(message_id)
        assert (row.status, row.attempts) == (OutboxState.QUEUED, attempt)
        assert "451" in row.last_error and "vol@example.org" not in row.last_error
        expected = before + backoff(attempt)
        assert abs((row.next_attempt_at - expected).total_seconds()) < 5
        assert run_once() == 0  # not due yet: nothing is tried
        assert fetch(message_id).attempts == attempt
        make_due()

    assert run_once() == 0
    row = fetch(message_id)
    assert (row.status, row.attempts) == (OutboxState.FAILED, 3)
    make_due()
    assert run_once() == 0  # failed rows stay put until someone retries them

    assert retry_failed(message_id) is True
    row = fetch(message_id)
    assert (row.status, row.attempts) == (OutboxState.QUEUED, 0)
    assert retry_failed(message_id) is False  # only failed rows can be retried

    smtp_server.accept_all()
    assert run_once() == 1
    assert fetch(message_id).status == OutboxState.SENT
    assert [mail.rcpt_tos for mail in smtp_server.messages] == [["vol@example.org"]]


def test_backoff_grows_and_is_capped(app):
    assert backoff(1) == timedelta(seconds=60)
    assert backoff(2) == timedelta(seconds=120)
    assert backoff(3) > backoff(2)
    assert backoff(50) == timedelta(hours=4)


def test_unknown_recipient_fails_at_once(app, smtp_server):
    [message_id] = add_messages(1, to_addr="niemand@example.org")
    smtp_server.refuse("niemand@example.org", "550 5.1.1 No such user")
    report = drain()
    assert (report.sent, report.failed) == (0, 1)
    row = fetch(message_id)
    assert (row.status, row.attempts) == (OutboxState.FAILED, 1)
    assert "550" in row.last_error


def test_header_injection_is_refused_and_never_sent(app, smtp_server):
    ids = add_messages(3)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == ids[0])
        .values(headers={"X-Evil": "a\r\nBcc: victim@example.org"})
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == ids[1])
        .values(subject="Hoi\nBcc: victim@example.org")
    )
    db.session.commit()

    report = drain()
    assert (report.sent, report.failed) == (1, 2)
    assert [fetch(i).status for i in ids] == [
        OutboxState.FAILED,
        OutboxState.FAILED,
        OutboxState.SENT,
    ]
    assert all("victim" not in mail.raw.decode() for mail in smtp_server.messages)


def test_mail_to_a_server_other_than_smtp_server_fails_the_test(app, no_stray_smtp):
    app.config["MAIL_SERVER"] = "smtp.example.org"
    add_messages(1)
    with pytest.raises(pytest.fail.Exception, match="use the smtp_server fixture"):
        run_once()
    assert no_stray_smtp.attempts == ["smtp.example.org:25"]
    no_stray_smtp.attempts.clear()  # the failure was the point of this test
    assert statuses() == {OutboxState.QUEUED: 1}  # the interrupted batch was handed back


# --- timings come from the config ------------------------------------------------------


def test_changed_backoff_and_attempt_settings_are_what_the_worker_uses(app, smtp_server):
    app.config.update(OUTBOX_BACKOFF_BASE=5, OUTBOX_BACKOFF_CAP=15, OUTBOX_MAX_ATTEMPTS=4)
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(seconds=s) for s in (10, 15, 15)]
    [message_id] = add_messages(1, to_addr="vol@example.org")
    smtp_server.refuse("vol@example.org", "451 4.2.2 Mailbox full, try later")
    for attempt in (1, 2, 3):
        before = utcnow()
        assert run_once() == 0
        row = fetch(message_id)
        assert row.attempts == attempt
        if attempt < 3:
            expected = before + timedelta(seconds=min(5 * 2**attempt, 15))
            assert abs((row.next_attempt_at - expected).total_seconds()) < 2
        make_due()
    assert run_once() == 0
    assert (fetch(message_id).status, fetch(message_id).attempts) == (OutboxState.FAILED, 4)


def test_changed_outage_delay_is_what_the_worker_waits(app, smtp_server):
    app.config["OUTBOX_OUTAGE_DELAY"] = 900
    smtp_server.stop()
    [message_id] = add_messages(1)
    before = utcnow()
    assert drain().transport_error
    row = fetch(message_id)
    assert row.status == OutboxState.QUEUED and row.attempts == 0
    expected = before + timedelta(seconds=900)
    assert abs((row.next_attempt_at - expected).total_seconds()) < 2


def test_changed_claim_timeout_is_what_the_worker_honours(app):
    app.config["OUTBOX_CLAIM_TIMEOUT"] = 30
    [message_id] = add_messages(1)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=OutboxState.SENDING, claimed_at=utcnow() - timedelta(seconds=45))
    )
    db.session.commit()
    assert run_once() == 1  # under the default of ten minutes this claim would still hold
    assert fetch(message_id).status == OutboxState.SENT


def test_changed_smtp_timeout_is_what_the_connection_uses(app, smtp_server):
    app.config["MAIL_TIMEOUT"] = 7
    transport = open_transport()
    try:
        assert isinstance(transport, SmtpTransport)
        assert transport.connection.host.sock.gettimeout() == 7
    finally:
        transport.close()


def test_changed_inline_interval_is_what_the_dev_worker_uses(app):
    app.config["OUTBOX_INLINE_INTERVAL"] = 0.25
    assert InlineWorker(app).interval == 0.25
    assert InlineWorker(app, interval=1.5).interval == 1.5


# --- delivering to files ---------------------------------------------------------------


def test_without_mail_server_messages_become_eml_files(app):
    assert not app.config.get("MAIL_SERVER")
    add_messages(2, reply_to="antwoord@example.org", subject="Bevestig je adres ../../x")

    assert run_once() == 2

    files = mail_files(app)
    assert len(files) == 2
    directory = Path(app.config["MAIL_FILE_DIR"])
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert not list(directory.glob(".*.tmp"))
    for path in files:
        assert re.fullmatch(r"\d{8}T\d{6}-\d{8}\.eml", path.name)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        email = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert email["To"].startswith("ontvanger")
        assert email["Reply-To"] == "antwoord@example.org"
        assert email["Subject"] == "Bevestig je adres ../../x"
        assert email["Message-ID"]
        assert "dit is de tekst" in email.get_body(("plain",)).get_content()
        assert "<b>html</b>" in email.get_body(("html",)).get_content()
    assert statuses() == {OutboxState.SENT: 2}


def test_unusable_mail_directory_keeps_messages_queued(app, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    app.config["MAIL_FILE_DIR"] = str(blocker / "mail")
    add_messages(3)
    report = drain()
    assert report.sent == 0 and report.transport_error
    assert statuses() == {OutboxState.QUEUED: 3}


# --- claiming --------------------------------------------------------------------------


def test_stale_claim_is_taken_again_but_a_live_one_is_not(app):
    stale, live = add_messages(2)
    now = utcnow()
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == stale)
        .values(status=OutboxState.SENDING, claimed_at=now - timedelta(minutes=11))
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == live)
        .values(status=OutboxState.SENDING, claimed_at=now - timedelta(minutes=1))
    )
    db.session.commit()

    assert run_once() == 1
    row = fetch(stale)
    assert row.status == OutboxState.SENT and row.attempts == 1  # the lost try counts
    assert fetch(live).status == OutboxState.SENDING
    assert len(mail_files(app)) == 1


def test_claim_marks_rows_sending_and_skips_claimed_ones(app):
    add_messages(5)
    first = claim_batch(3)
    assert len(first) == 3 and all(row.status == OutboxState.SENDING for row in first)
    assert all(row.claimed_at is not None for row in first)
    second = claim_batch(10)
    assert {row.id for row in second}.isdisjoint(row.id for row in first)
    assert len(second) == 2
    assert claim_batch(10) == []


def test_stopping_mid_batch_releases_the_rest(app):
    add_messages(4)
    claimed = claim_batch(10)
    stop = threading.Event()
    stop.set()
    report = deliver(claimed, stop=stop)
    assert report.released == 4 and report.sent == 0
    assert statuses() == {OutboxState.QUEUED: 4}
    assert run_once() == 4  # released rows are due straight away


def _race(app, count: int, batch_size: int, smtp_server) -> list[int]:
    """Two workers, each in its own thread and app context, drain the same outbox."""
    app.config["OUTBOX_BATCH_SIZE"] = batch_size
    add_messages(count)
    barrier = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            sent.append(drain(app).sent)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(sent) == count
    assert statuses() == {OutboxState.SENT: count}
    received = smtp_server.messages
    assert len(received) == count
    assert len({mail.message["Message-ID"] for mail in received}) == count
    return sent


def test_two_workers_never_send_a_message_twice(app, smtp_server):
    _race(app, 200, 10, smtp_server)


@pytest.mark.postgresql
def test_two_workers_drain_a_thousand_messages_exactly_once_on_postgresql(app, smtp_server):
    assert db.engine.dialect.name == "postgresql"
    sent = _race(app, 1000, 25, smtp_server)
    assert all(sent), "both workers should have taken part"


# --- command line and the in-process worker --------------------------------------------


def test_flask_outbox_once(app, runner):
    add_messages(3)
    result = runner.invoke(args=["outbox", "--once"])
    assert result.exit_code == 0, result.output
    assert "Sent 3" in result.output and "failed 0" in result.output
    assert len(mail_files(app)) == 3
    assert statuses() == {OutboxState.SENT: 3}


def test_flask_outbox_once_fails_when_the_relay_is_down(app, runner, smtp_server):
    smtp_server.stop()
    add_messages(2)
    result = runner.invoke(args=["outbox", "--once"])
    assert result.exit_code == 1
    assert "mail transport unavailable" in result.output
    assert statuses() == {OutboxState.QUEUED: 2}


def test_flask_outbox_worker_stops_cleanly_on_sigterm(app, tmp_path):
    add_messages(2)
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "WIJK_INSTANCE_PATH": str(tmp_path / "instance"),
        "FLASK_SECRET_KEY": app.config["SECRET_KEY"],
        "FLASK_MAIL_FILE_DIR": app.config["MAIL_FILE_DIR"],
    }
    env.pop("FLASK_MAIL_SERVER", None)
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "app", "outbox", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while len(mail_files(app)) < 2 and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, output
    assert "Outbox worker stopped." in output
    assert len(mail_files(app)) == 2
    assert statuses() == {OutboxState.SENT: 2}


def test_flask_outbox_retry(app, runner):
    ids = add_messages(2, status=OutboxState.FAILED, attempts=8)
    result = runner.invoke(outbox_retry_command, [str(ids[0])])
    assert result.exit_code == 0 and "Re-queued 1" in result.output
    assert fetch(ids[0]).status == OutboxState.QUEUED and fetch(ids[1]).status == OutboxState.FAILED
    result = runner.invoke(outbox_retry_command, [str(ids[0])])
    assert result.exit_code == 1  # no longer failed
    result = runner.invoke(outbox_retry_command, ["--all"])
    assert "Re-queued 1" in result.output
    assert statuses() == {OutboxState.QUEUED: 2}


def test_inline_worker_delivers_in_the_background(app):
    worker = start_inline_worker(app, interval=0.05)
    try:
        assert worker is not None and worker.is_alive()
        assert start_inline_worker(app) is worker  # one per process
        add_messages(3)
        deadline = time.monotonic() + 10
        while len(mail_files(app)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert not worker.is_alive()
    assert len(mail_files(app)) == 3
    assert statuses() == {OutboxState.SENT: 3}


def test_long_lines_are_wrapped_so_strict_servers_accept_them(app, smtp_server):
    """A newsletter paragraph is one long line of HTML; RFC 5321 allows 998 characters."""
    paragraph = "Beste buren, " + "dit is een lange zin in de nieuwsbrief. " * 60
    db.session.add(
        OutboxMessage(
            kind="newsletter",
            to_addr="lid@example.org",
            subject="Nieuwsbrief",
            body_text=paragraph,
            body_html=f"<p>{paragraph}</p>",
        )
    )
    db.session.commit()
    assert run_once(app) == 1
    [mail] = smtp_server.messages
    assert max(len(line) for line in mail.raw.splitlines()) <= 998
    assert mail.message.get_body(("plain",)).get_content().strip() == paragraph.strip()
    assert paragraph.strip() in mail.message.get_body(("html",)).get_content()
