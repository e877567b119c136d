"""Deleting an account: the password (and TOTP) guard it, everything goes offline at
once, the purge leaves no personal value anywhere but the sealed copy, and the admin
command brings the account back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import PASSWORD
from privacy_helpers import code_for, switch_on_totp
from sqlalchemy import Text, cast, func, inspect, select, update
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table

from wijk.extensions import db
from wijk.models import (
    AuditEntry,
    Consent,
    Invitation,
    Item,
    ItemManager,
    ItemRevision,
    NewsletterSubscription,
    OutboxMessage,
    PrivacyRequest,
    RelayMessage,
    SealedAccount,
    SignUp,
    User,
)
from wijk.models.base import utcnow
from wijk.privacy.retention import purge

NAME = "Wilhelmina Zwanenburg"
EMAIL = "wilhelmina.z@example.org"
CONTACT_NAME = "Mina Zwaan"
CONTACT_EMAIL = "mina.contact@example.org"
PHONE = "0687654321"
ADDRESS = "Zwanensteeg 12"
SIGNUP_NAME = "W. Zwanenburg"
SENT_BODY = "Groeten uit de Zwanensteeg van Wilhelmina"


def scan(values: list[str]) -> list[str]:
    """Every column of every table in the database (reflected, so also tables no model
    knows), as text, searched for each value. The sealed copy is encrypted."""
    found = []
    inspector = inspect(db.engine)
    with db.engine.connect() as connection:
        for table_name in inspector.get_table_names():
            for info in inspector.get_columns(table_name):
                if (table_name, info["name"]) == ("sealed_account", "ciphertext"):
                    continue
                column = sql_column(info["name"])
                table = sql_table(table_name, column)
                for value in values:
                    hits = connection.scalar(
                        select(func.count())
                        .select_from(table)
                        .where(
                            func.lower(cast(column, Text)).contains(value.lower(), autoescape=True)
                        )
                    )
                    if hits:
                        found.append(f"{table_name}.{info['name']}: {value}")
    return found


@pytest.fixture
def resident(make_user, make_item, make_neighbourhood):
    """A person with a bit of everything: posts with contact details, consents, an
    opt-in, a sent and a received message, a sign-up, an invitation, an audit entry."""
    user = make_user(name=NAME, email=EMAIL)
    place = make_neighbourhood(name="Zuilen")
    other_owner = make_user(name="Bram Buurman", email="bram@example.org")
    keep = make_item(
        "activity",
        owner=user,
        neighbourhood=place,
        title="Ruilmarkt",
        contact_name=CONTACT_NAME,
        contact_name_public=True,
        contact_email=CONTACT_EMAIL,
        contact_phone=PHONE,
        contact_phone_public=True,
        address=ADDRESS,
    )
    drop = make_item(
        "organisation",
        owner=user,
        neighbourhood=place,
        title="Breiclub",
        contact_phone=PHONE,
        address=ADDRESS,
        address_public=True,
    )
    theirs = make_item(
        "activity",
        owner=other_owner,
        neighbourhood=place,
        title="Buurtfeest",
        contact_name="Bram Buurman",
    )
    db.session.add_all(
        [
            Consent(user_id=user.id, document="terms", version="2026-11"),
            Consent(user_id=user.id, document="privacy", version="2026-11"),
            NewsletterSubscription(user_id=user.id, neighbourhood_id=place.id, source="account"),
            ItemManager(item_id=theirs.id, user_id=user.id),
            ItemRevision(item_id=keep.id, snapshot={"contact_phone": PHONE}),
            RelayMessage(
                item_id=theirs.id,
                recipient_id=other_owner.id,
                sender_name=NAME,
                sender_email=EMAIL,
                body=SENT_BODY,
            ),
            RelayMessage(
                item_id=keep.id,
                recipient_id=user.id,
                sender_name="Kees Kwast",
                sender_email="kees@example.net",
                body="Vraag van Kees",
            ),
            SignUp(activity_id=theirs.id, name=SIGNUP_NAME, email=EMAIL),
            Invitation(item_id=theirs.id, invited_by_id=other_owner.id, email=EMAIL),
            AuditEntry(
                actor_id=other_owner.id,
                action="author.viewed",
                subject_id=user.id,
                item_id=keep.id,
                detail=f"{NAME} <{EMAIL}>",
            ),
            OutboxMessage(
                kind="verify",
                to_addr=EMAIL,
                subject="Bevestig",
                body_text=f"Hallo {NAME}",
                status="sent",
                sent_at=utcnow(),
            ),
            OutboxMessage(
                kind="relay",
                to_addr=CONTACT_EMAIL,
                subject="Bericht",
                body_text="Vraag van Kees",
                reply_to="Kees <kees@example.net>",
                status="sent",
                sent_at=utcnow(),
            ),
            OutboxMessage(
                kind="relay",
                to_addr="bram@example.org",
                subject="Bericht",
                body_text=SENT_BODY,
                reply_to=f"{NAME} <{EMAIL}>",
                status="sent",
                sent_at=utcnow(),
            ),
            OutboxMessage(
                kind="invite",
                to_addr="someone@example.net",
                subject="Uitnodiging",
                body_text=f"{NAME} nodigt je uit",
                status="sent",
                sent_at=utcnow(),
            ),
        ]
    )
    now = utcnow()
    db.session.add(
        PrivacyRequest(
            kind="question",
            email=EMAIL,
            message="Wat weten jullie?",
            user_id=user.id,
            created_at=now,
            due_at=now,
            answered_at=now,
            answer=f"Beste {NAME}, ...",
        )
    )
    db.session.commit()
    user.keep_id, user.drop_id, user.theirs_id = keep.id, drop.id, theirs.id
    return user


PERSONAL = [NAME, EMAIL, CONTACT_NAME, CONTACT_EMAIL, PHONE, ADDRESS, SIGNUP_NAME, SENT_BODY]


def delete_form(resident, **extra):
    return {
        f"fate-{resident.keep_id}": "keep",
        f"fate-{resident.drop_id}": "delete",
        "password": PASSWORD,
        **extra,
    }


def test_wrong_password_changes_nothing(client, auth, resident):
    auth.login(resident)
    page = client.get("/mijn/gegevens/verwijderen?lang=en").get_data(as_text=True)
    assert "Ruilmarkt" in page and "What stays public when kept" in page
    before = scan(PERSONAL)
    response = client.post(
        "/mijn/gegevens/verwijderen", data=delete_form(resident, password="wrong password!")
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, resident.id).deleted_at is None
    assert db.session.scalar(select(func.count(SealedAccount.id))) == 0
    assert set(db.session.scalars(select(Item.status))) == {"published"}
    assert db.session.get(Item, resident.keep_id).owner_id == resident.id
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "account_deleted")
        )
        == 0
    )
    assert scan(PERSONAL) == before
    assert client.get("/mijn/gegevens").status_code == 200  # still logged in


def test_totp_is_asked_when_it_is_on(client, auth, resident):
    auth.login(resident)
    switch_on_totp(resident)
    page = client.get("/mijn/gegevens/verwijderen?lang=en").get_data(as_text=True)
    assert "authenticator" in page
    assert client.post("/mijn/gegevens/verwijderen", data=delete_form(resident)).status_code == 400
    assert (
        client.post(
            "/mijn/gegevens/verwijderen", data=delete_form(resident, totp="000000")
        ).status_code
        == 400
    )
    db.session.expire_all()
    assert db.session.get(User, resident.id).deleted_at is None
    response = client.post(
        "/mijn/gegevens/verwijderen", data=delete_form(resident, totp=code_for(resident))
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, resident.id).deleted_at is not None


def test_deletion_unpublishes_at_once_and_the_purge_leaves_nothing(client, auth, resident):
    auth.login(resident)
    response = client.post("/mijn/gegevens/verwijderen", data=delete_form(resident))
    assert response.status_code == 302 and response.headers["Location"] == "/account-verwijderd"

    # At once: logged out everywhere, posts offline or anonymised, login refused.
    assert client.get("/mijn/gegevens").status_code == 302
    db.session.expire_all()
    dropped = db.session.get(Item, resident.drop_id)
    kept = db.session.get(Item, resident.keep_id)
    assert dropped.status == "hidden"
    assert kept.status == "published" and kept.owner_id is None
    assert (kept.contact_name, kept.contact_email, kept.contact_phone, kept.address) == (
        None,
        None,
        None,
        None,
    )
    assert not (kept.contact_name_public or kept.contact_phone_public)
    assert client.get(f"/organisatie/{resident.drop_id}").status_code == 404
    public = client.get(f"/activiteit/{resident.keep_id}").get_data(as_text=True)
    assert "Ruilmarkt" in public and PHONE not in public and CONTACT_NAME not in public
    assert "contact-message" not in public and 'name="message"' not in public
    login = client.post("/inloggen", data={"email": EMAIL, "password": PASSWORD})
    assert login.status_code == 400
    sealed = db.session.scalar(select(SealedAccount))
    assert sealed.former_user_id == resident.id
    assert sealed.purge_after - sealed.sealed_at >= timedelta(days=5 * 365)
    assert EMAIL.encode() not in sealed.ciphertext
    confirmation = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "account_deleted")
    )
    assert confirmation.to_addr == EMAIL and confirmation.status == "queued"
    assert db.session.scalar(select(NewsletterSubscription.withdrawn_at)) is not None

    # The purge waits for the confirmation mail, then erases within the hour.
    assert purge()["deleted_account"] == 0
    db.session.execute(update(OutboxMessage).values(status="sent", sent_at=utcnow()))
    db.session.commit()
    assert purge()["deleted_account"] == 1
    assert scan(PERSONAL) == []
    # The scan does find values, and other people's data stays where it belongs.
    assert {
        "user_account.name: Bram Buurman",
        "user_account.email: bram@example.org",
        "item.contact_name: Bram Buurman",
    } <= set(scan(["Bram Buurman", "bram@example.org"]))
    db.session.expire_all()
    assert db.session.get(Item, resident.drop_id) is None
    assert db.session.get(Item, resident.keep_id).title == "Ruilmarkt"
    assert db.session.get(Item, resident.theirs_id) is not None
    # The message others sent her stays theirs, for its own 28 days.
    assert (
        db.session.scalar(
            select(RelayMessage.body).where(RelayMessage.sender_email == "kees@example.net")
        )
        == "Vraag van Kees"
    )
    assert db.session.scalar(select(func.count(SealedAccount.id))) == 1
    assert purge()["deleted_account"] == 0


def test_restore_command_brings_a_purged_account_back(client, auth, runner, resident):
    auth.login(resident)
    client.post("/mijn/gegevens/verwijderen", data=delete_form(resident))
    db.session.execute(update(OutboxMessage).values(status="sent", sent_at=utcnow()))
    db.session.commit()
    purge()
    result = runner.invoke(args=["restore-account", "--email", EMAIL])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    assert user.name == NAME and user.deleted_at is None and user.is_verified
    assert {c.version for c in user.consents} == {"2026-11"}
    kept = db.session.get(Item, resident.keep_id)
    assert kept.owner_id == user.id and kept.contact_phone == PHONE
    again = db.session.scalars(select(Item).where(Item.owner_id == user.id)).all()
    assert {i.title: i.status for i in again} == {"Ruilmarkt": "published", "Breiclub": "hidden"}
    assert db.session.scalar(select(func.count(SealedAccount.id))) == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.restored"))
    assert entry.subject_id == user.id
    assert client.post("/inloggen", data={"email": EMAIL, "password": PASSWORD}).status_code == 302


def test_restore_before_the_purge_revives_the_same_account(client, auth, runner, resident):
    auth.login(resident)
    client.post("/mijn/gegevens/verwijderen", data=delete_form(resident))
    sealed_id = db.session.scalar(select(SealedAccount.id))
    result = runner.invoke(args=["restore-account", str(sealed_id)])
    assert result.exit_code == 0, result.output
    assert f"as account {resident.id}" in result.output
    db.session.expire_all()
    assert db.session.get(Item, resident.drop_id).status == "published"
    assert db.session.get(Item, resident.keep_id).owner_id == resident.id
    assert purge()["deleted_account"] == 0
    assert runner.invoke(args=["restore-account", str(sealed_id)]).exit_code != 0


def test_without_a_sealing_key_nothing_is_deleted(app, client, auth, resident):
    app.config["SEALED_ACCOUNT_KEY"] = None
    auth.login(resident)
    assert client.get("/mijn/gegevens/verwijderen").status_code == 503
    assert client.post("/mijn/gegevens/verwijderen", data=delete_form(resident)).status_code == 503
    db.session.expire_all()
    assert db.session.get(User, resident.id).deleted_at is None


@pytest.mark.slow
def test_production_without_a_sealing_key_starts_but_cannot_delete(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {
        "PATH": "/usr/bin:/bin",
        "WIJK_INSTANCE_PATH": str(tmp_path),
        "FLASK_SECRET_KEY": "k" * 64,
    }
    code = (
        "import app; from wijk.privacy.erasure import can_delete_accounts\n"
        "with app.app.app_context(): print(can_delete_accounts())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert not (tmp_path / "sealed_account_key").exists()


def test_a_deleted_account_cannot_be_revived_by_a_password_reset(client, auth, resident):
    auth.login(resident)
    client.post("/mijn/gegevens/verwijderen", data=delete_form(resident))
    client.post("/wachtwoord-vergeten", data={"email": EMAIL})
    assert (
        db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "reset"))
        == 0
    )
