"""Retention rules erase exactly what passed its period, at the boundary, idempotently."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from wijk.extensions import db
from wijk.models import OutboxMessage, RelayMessage, User
from wijk.models.base import utcnow
from wijk.privacy.retention import purge

NOW = utcnow()


def relay(make_item, *, sent_days_ago: float | None, status: str = "sent",
          created_days_ago: float = 30, now=NOW) -> RelayMessage:
    outbox = OutboxMessage(kind="relay", to_addr="r@example.org", subject="s", body_text="b",
                           status=status,
                           sent_at=now - timedelta(days=sent_days_ago)
                           if sent_days_ago is not None else None)
    message = RelayMessage(item_id=make_item("activity").id, sender_name="Vera",
                           sender_email="vera@example.net", body="Geheim bericht",
                           outbox_message=outbox,
                           created_at=now - timedelta(days=created_days_ago))
    db.session.add(message)
    db.session.commit()
    return message


def test_relay_body_is_erased_28_days_after_delivery_and_not_before(make_item):
    now = NOW
    due = relay(make_item, sent_days_ago=28, created_days_ago=29)
    young = relay(make_item, sent_days_ago=27.9, created_days_ago=29)
    queued = relay(make_item, sent_days_ago=None, status="queued", created_days_ago=40)
    failed = relay(make_item, sent_days_ago=None, status="failed", created_days_ago=29)
    counts = purge(now)
    assert counts["relay_body"] == 2
    for message, erased in ((due, True), (young, False), (queued, False), (failed, True)):
        db.session.refresh(message)
        assert (message.body is None) is erased
        assert (message.sender_email is None) is erased
    assert purge(now)["relay_body"] == 0  # idempotent


def test_outbox_keeps_no_body_after_7_days(app):
    now = utcnow()
    old = OutboxMessage(kind="verify", to_addr="a@example.org", subject="Bevestig",
                        body_text="link", body_html="<p>link</p>", status="sent",
                        sent_at=now - timedelta(days=7))
    recent = OutboxMessage(kind="verify", to_addr="b@example.org", subject="Bevestig",
                           body_text="link", status="sent", sent_at=now - timedelta(days=6))
    queued = OutboxMessage(kind="verify", to_addr="c@example.org", subject="Bevestig",
                           body_text="link", status="queued",
                           created_at=now - timedelta(days=30))
    db.session.add_all([old, recent, queued])
    db.session.commit()
    assert purge(now, dry_run=True)["outbox_body"] == 1
    db.session.refresh(old)
    assert old.body_text == "link"  # a dry run changes nothing
    assert purge(now)["outbox_body"] == 1
    db.session.refresh(old)
    db.session.refresh(recent)
    db.session.refresh(queued)
    assert old.body_text is None and old.body_html is None and old.to_addr == ""
    assert recent.body_text == "link" and queued.body_text == "link"
    assert purge(now)["outbox_body"] == 0


def test_flask_purge_command_reports_per_rule(runner, make_item):
    relay(make_item, sent_days_ago=40, created_days_ago=41)
    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0
    assert "relay_body" in result.output and "would erase" in result.output
    assert db.session.scalar(select(RelayMessage.body)) == "Geheim bericht"
    result = runner.invoke(args=["purge"])
    assert "relay_body           erased      1" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(RelayMessage.body)) is None


def test_unverified_accounts_are_removed_after_7_days(make_user, make_item):
    old = make_user(verified=False)
    young = make_user(verified=False)
    verified = make_user()
    old.created_at = NOW - timedelta(days=7)
    young.created_at = NOW - timedelta(days=6, hours=23)
    verified.created_at = NOW - timedelta(days=300)
    make_item("activity", owner=old)
    db.session.commit()
    old_id = old.id
    assert purge(NOW)["unverified_account"] == 1
    db.session.expire_all()
    assert db.session.get(User, old_id) is None
    assert db.session.get(User, young.id) is not None
    assert db.session.get(User, verified.id) is not None
    assert purge(NOW)["unverified_account"] == 0


def test_signup_list_is_erased_7_days_after_the_activity_ends(make_item):
    from wijk.models import SignUp
    from wijk.privacy.retention import _local

    local_now = _local(NOW)
    ended = make_item("activity", starts_at=local_now - timedelta(days=7, hours=2),
                      ends_at=local_now - timedelta(days=7))
    recent = make_item("activity", starts_at=local_now - timedelta(days=6, hours=23),
                       ends_at=local_now - timedelta(days=6, hours=22))
    for activity in (ended, recent):
        db.session.add(SignUp(activity_id=activity.id, name="Piet", email="piet@example.org"))
    db.session.commit()
    assert purge(NOW)["signup_list"] == 1
    remaining = list(db.session.scalars(select(SignUp.activity_id)))
    assert remaining == [recent.id]
    assert purge(NOW)["signup_list"] == 0
