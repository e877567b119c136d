"""Retention rules erase exactly what passed its period, at the boundary, idempotently."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from wijk.extensions import db
from wijk.models import OutboxMessage, RelayMessage, User
from wijk.models.base import utcnow
from wijk.pictures.services import upload_dir
from wijk.privacy.retention import purge

NOW = utcnow()


def relay(
    make_item,
    *,
    sent_days_ago: float | None,
    status: str = "sent",
    created_days_ago: float = 30,
    now=NOW,
) -> RelayMessage:
    outbox = OutboxMessage(
        kind="relay",
        to_addr="r@example.org",
        subject="s",
        body_text="b",
        status=status,
        sent_at=now - timedelta(days=sent_days_ago) if sent_days_ago is not None else None,
    )
    message = RelayMessage(
        item_id=make_item("activity").id,
        sender_name="Vera",
        sender_email="vera@example.net",
        body="Geheim bericht",
        outbox_message=outbox,
        created_at=now - timedelta(days=created_days_ago),
    )
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
    old = OutboxMessage(
        kind="verify",
        to_addr="a@example.org",
        subject="Bevestig",
        body_text="link",
        body_html="<p>link</p>",
        status="sent",
        sent_at=now - timedelta(days=7),
    )
    recent = OutboxMessage(
        kind="verify",
        to_addr="b@example.org",
        subject="Bevestig",
        body_text="link",
        status="sent",
        sent_at=now - timedelta(days=6),
    )
    queued = OutboxMessage(
        kind="verify",
        to_addr="c@example.org",
        subject="Bevestig",
        body_text="link",
        status="queued",
        created_at=now - timedelta(days=30),
    )
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
    from wijk.clock import stamp_to_local as _local
    from wijk.models import SignUp

    local_now = _local(NOW)
    ended = make_item(
        "activity",
        starts_at=local_now - timedelta(days=7, hours=2),
        ends_at=local_now - timedelta(days=7),
    )
    recent = make_item(
        "activity",
        starts_at=local_now - timedelta(days=6, hours=23),
        ends_at=local_now - timedelta(days=6, hours=22),
    )
    for activity in (ended, recent):
        db.session.add(SignUp(activity_id=activity.id, name="Piet", email="piet@example.org"))
    db.session.commit()
    assert purge(NOW)["signup_list"] == 1
    remaining = list(db.session.scalars(select(SignUp.activity_id)))
    assert remaining == [recent.id]
    assert purge(NOW)["signup_list"] == 0


# --- the rules added with the privacy pages (issue 5) -----------------------------------


from wijk.clock import stamp_to_local as _local  # noqa: E402
from wijk.models import (  # noqa: E402
    AuditEntry,
    Invitation,
    Item,
    ItemRevision,
    PrivacyRequest,
    Report,
    SealedAccount,
)
from wijk.privacy.retention import SCHEDULE  # noqa: E402


def test_activity_contact_fields_are_erased_30_days_after_the_end(make_item):
    local_now = _local(NOW)
    contact = dict(
        address="Lindelaan 4",
        address_public=True,
        contact_name="Truus",
        contact_name_public=True,
        contact_email="truus@example.org",
        contact_phone="0612345678",
        contact_phone_public=True,
    )
    due = make_item(
        "activity",
        starts_at=local_now - timedelta(days=30, hours=2),
        ends_at=local_now - timedelta(days=30),
        **contact,
    )
    young = make_item(
        "activity",
        starts_at=local_now - timedelta(days=30, hours=1),
        ends_at=local_now - timedelta(days=29, hours=23, minutes=59),
        **contact,
    )
    db.session.add(ItemRevision(item_id=due.id, snapshot={"contact_phone": "0612345678"}))
    db.session.commit()
    assert purge(NOW, dry_run=True)["activity_contact"] == 1
    assert purge(NOW)["activity_contact"] == 1
    db.session.expire_all()
    assert (due.address, due.contact_name, due.contact_email, due.contact_phone) == (
        None,
        None,
        None,
        None,
    )
    assert not (due.address_public or due.contact_name_public or due.contact_phone_public)
    assert due.title and due.status == "published"  # the activity itself stays
    assert db.session.scalar(select(ItemRevision.id)) is None
    assert young.contact_phone == "0612345678" and young.contact_phone_public
    assert purge(NOW)["activity_contact"] == 0


def test_offers_are_deleted_30_days_after_they_expire(make_item):
    today = _local(NOW).date()
    # Expired from the day after expires_on; 30 days later it goes.
    due = make_item("offer", expires_on=today - timedelta(days=31))
    young = make_item("offer", expires_on=today - timedelta(days=30))
    current = make_item("offer", expires_on=today + timedelta(days=3))
    activity = make_item("activity")
    due_id = due.id
    assert purge(NOW)["expired_offer"] == 1
    db.session.expire_all()
    assert db.session.get(Item, due_id) is None
    assert {i for i in db.session.scalars(select(Item.id))} == {young.id, current.id, activity.id}
    assert purge(NOW)["expired_offer"] == 0


@pytest.mark.parametrize("where", ["instance", "FLASK_UPLOAD_DIR"])
def test_picture_files_go_with_a_purged_offer(app, make_item, tmp_path, where):
    """Also when the pictures live on a volume of their own (docs/deploy.md)."""
    if where == "FLASK_UPLOAD_DIR":
        app.config["UPLOAD_DIR"] = str(tmp_path / "shared-volume")
    uploads = upload_dir()
    assert (uploads == tmp_path / "shared-volume") == (where == "FLASK_UPLOAD_DIR")
    files = [uploads / "k3y-small.webp", uploads / "k3y-large.webp"]
    for f in files:
        f.write_bytes(b"x")
    other = uploads / "other-small.webp"
    other.write_bytes(b"x")
    make_item("offer", expires_on=_local(NOW).date() - timedelta(days=40), picture_key="k3y")
    purge(NOW)
    assert not any(f.exists() for f in files) and other.exists()


def test_invitations_are_erased_30_days_after_acceptance_or_sending(make_item, make_user):
    item = make_item("activity")
    rows = {
        "sent_due": Invitation(
            item_id=item.id,
            invited_by_id=item.owner_id,
            email="a@x.org",
            created_at=NOW - timedelta(days=30),
        ),
        "sent_young": Invitation(
            item_id=item.id,
            invited_by_id=item.owner_id,
            email="b@x.org",
            created_at=NOW - timedelta(days=29),
        ),
        "accepted_due": Invitation(
            item_id=item.id,
            invited_by_id=item.owner_id,
            email="c@x.org",
            created_at=NOW - timedelta(days=90),
            accepted_at=NOW - timedelta(days=30),
        ),
        "accepted_young": Invitation(
            item_id=item.id,
            invited_by_id=item.owner_id,
            email="d@x.org",
            created_at=NOW - timedelta(days=90),
            accepted_at=NOW - timedelta(days=29, hours=23),
        ),
    }
    db.session.add_all(rows.values())
    db.session.commit()
    assert purge(NOW)["invitation"] == 2
    assert set(db.session.scalars(select(Invitation.email))) == {"b@x.org", "d@x.org"}
    assert purge(NOW)["invitation"] == 0


def test_reports_go_a_year_after_resolution(make_item):
    item = make_item("activity")
    db.session.add_all(
        [
            Report(item_id=item.id, reason="due", resolved_at=NOW - timedelta(days=365)),
            Report(item_id=item.id, reason="young", resolved_at=NOW - timedelta(days=364)),
            Report(item_id=item.id, reason="open", created_at=NOW - timedelta(days=900)),
        ]
    )
    db.session.commit()
    assert purge(NOW)["report"] == 1
    assert set(db.session.scalars(select(Report.reason))) == {"young", "open"}
    assert purge(NOW)["report"] == 0


def test_audit_entries_go_after_2_years(app):
    db.session.add_all(
        [
            AuditEntry(action="user.viewed", detail="due", created_at=NOW - timedelta(days=730)),
            AuditEntry(
                action="user.viewed", detail="young", created_at=NOW - timedelta(days=729, hours=23)
            ),
        ]
    )
    db.session.commit()
    assert purge(NOW)["audit"] == 1
    assert list(db.session.scalars(select(AuditEntry.detail))) == ["young"]
    assert purge(NOW)["audit"] == 0


def test_sealed_copies_go_after_5_years(app):
    from wijk.privacy.erasure import add_years

    sealed_at = add_years(NOW, -5)
    db.session.add_all(
        [
            SealedAccount(
                former_user_id=1,
                sealed_at=sealed_at,
                purge_after=add_years(sealed_at, 5),
                ciphertext=b"due",
            ),
            SealedAccount(
                former_user_id=2,
                sealed_at=sealed_at + timedelta(seconds=1),
                purge_after=add_years(sealed_at, 5) + timedelta(seconds=1),
                ciphertext=b"young",
            ),
        ]
    )
    db.session.commit()
    assert purge(NOW)["sealed_copy"] == 1
    assert list(db.session.scalars(select(SealedAccount.former_user_id))) == [2]
    assert purge(NOW)["sealed_copy"] == 0


def test_privacy_requests_go_a_year_after_the_answer(app):
    def request(message, answered_days_ago):
        created = NOW - timedelta(days=400)
        return PrivacyRequest(
            kind="question",
            email="q@example.org",
            message=message,
            created_at=created,
            due_at=created + timedelta(days=28),
            answered_at=NOW - timedelta(days=answered_days_ago)
            if answered_days_ago is not None
            else None,
        )

    db.session.add_all([request("due", 365), request("young", 364.9), request("open", None)])
    db.session.commit()
    assert purge(NOW)["privacy_request"] == 1
    assert set(db.session.scalars(select(PrivacyRequest.message))) == {"young", "open"}
    assert purge(NOW)["privacy_request"] == 0


def test_deleted_accounts_are_erased_once_their_confirmation_mail_left(make_user, make_item):
    gone = make_user()
    waiting = make_user()
    living = make_user()
    make_item("activity", owner=gone, status="hidden")
    gone.deleted_at = NOW
    waiting.deleted_at = NOW - timedelta(hours=46, minutes=59)
    db.session.add(
        OutboxMessage(
            kind="account_deleted",
            to_addr=waiting.email,
            subject="s",
            body_text="b",
            status="queued",
        )
    )
    db.session.commit()
    gone_id, waiting_id = gone.id, waiting.id
    assert purge(NOW)["deleted_account"] == 1
    db.session.expire_all()
    assert db.session.get(User, gone_id) is None
    assert db.session.scalar(select(Item.id)) is None
    assert db.session.get(User, waiting_id) is not None  # its mail is still queued
    assert db.session.get(User, living.id) is not None
    assert purge(NOW)["deleted_account"] == 0
    # At 47 hours the account goes regardless, and the stuck mail with it.
    assert purge(NOW + timedelta(minutes=1))["deleted_account"] == 1
    db.session.expire_all()
    assert db.session.get(User, waiting_id) is None
    stuck = db.session.scalar(select(OutboxMessage))
    assert stuck.status == "failed" and stuck.to_addr == "" and stuck.body_text is None


def test_a_not_yet_deleted_account_is_not_touched(make_user):
    user = make_user()
    user.deleted_at = NOW + timedelta(seconds=1)  # the boundary: deleted "later"
    db.session.commit()
    assert purge(NOW)["deleted_account"] == 0


def test_every_declared_retention_is_carried_out_by_the_schedule(app):
    declared = {
        column.info["personal"]["retention"]
        for table in db.metadata.sorted_tables
        for column in table.columns
        if "personal" in column.info
    }
    covered = {name for rule in SCHEDULE for name in rule.covers}
    assert declared - covered == set(), "add a rule to wijk/privacy/retention.py"
    assert covered - declared == set(), "a rule covers a retention name nobody declares"
    assert len({rule.name for rule in SCHEDULE}) == len(SCHEDULE)


def test_dry_run_lists_what_would_go_and_changes_nothing(runner, make_item):
    offer = make_item("offer", expires_on=_local(NOW).date() - timedelta(days=60))
    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "expired_offer        would erase      1" in result.output
    assert f"    item {offer.id}" in result.output
    db.session.expire_all()
    assert db.session.get(Item, offer.id) is not None
    runner.invoke(args=["purge"])
    second = runner.invoke(args=["purge"])
    assert all(
        line.split()[2] == "0" for line in second.output.splitlines() if " erased " in line
    ), second.output


def test_purge_while_pages_are_served_never_breaks_a_page(app, client, make_item):
    """Pages keep answering while the purge deletes and empties rows under them."""
    import threading

    place = make_item("activity").neighbourhood
    today = _local(NOW).date()
    offers = [
        make_item(
            "offer",
            neighbourhood=place,
            expires_on=today - timedelta(days=40),
            contact_phone="0611111111",
        )
        for _ in range(30)
    ]
    paths = ["/", f"/wijk/{place.slug}"] + [f"/vraag-aanbod/{o.id}" for o in offers]
    statuses: list[int] = []
    done = threading.Event()

    def serve():
        with app.test_client() as browser:
            while not done.is_set():
                for path in paths:
                    statuses.append(browser.get(path).status_code)

    worker = threading.Thread(target=serve)
    worker.start()
    try:
        with app.app_context():
            assert purge()["expired_offer"] == 30
    finally:
        done.set()
        worker.join()
    assert statuses and set(statuses) <= {200, 404}, set(statuses)
