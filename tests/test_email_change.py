"""Changing the e-mail address: nothing changes until the link sent to the new address
is opened; then the old address gets a notice, sessions stay, and both steps are in the
audit trail."""

from __future__ import annotations

from conftest import PASSWORD
from sqlalchemy import select
from test_accounts import link_in

from wijk.extensions import db
from wijk.models import AuditEntry, OutboxMessage, User

NEW = "nieuw.adres@example.org"


def ask(client, email=NEW, password=PASSWORD):
    return client.post("/account/e-mail", data={"email": email, "password": password})


def test_the_address_changes_only_after_the_link(client, auth, make_user):
    user = make_user(email="oud.adres@example.org")
    auth.login(user)
    assert ask(client).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "oud.adres@example.org"
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "email_change"))
    assert message.to_addr == NEW
    assert (
        db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "email_changed"))
        is None
    )

    response = client.get(link_in(message))
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert changed.email == NEW and changed.email_verified_at is not None
    notice = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "email_changed"))
    assert notice.to_addr == "oud.adres@example.org" and NEW not in notice.body_text
    # Still logged in, in the same session.
    assert client.get("/account").status_code == 200
    actions = set(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == user.id))
    )
    assert {"account.email_change_requested", "account.email_changed"} <= actions
    # The link works once.
    assert client.get(link_in(message)).status_code == 400


def test_a_wrong_password_changes_nothing(client, auth, make_user):
    auth.login(make_user())
    assert ask(client, password="niet mijn wachtwoord").status_code == 400
    assert (
        db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "email_change")) is None
    )


def test_an_address_of_another_account_tells_nobody_and_changes_nothing(client, auth, make_user):
    """The same answer as a free address (no account enumeration); the owner of the
    address is told instead, and no link that could take it over is sent."""
    owner = make_user(email=NEW, name="Eigenaar")
    user = make_user(email="vrij.adres@example.org")
    auth.login(user)
    free = client.post(
        "/account/e-mail",
        data={"email": "nog.vrij@example.org", "password": PASSWORD},
        follow_redirects=True,
    )
    taken = ask(client, email=NEW)
    assert taken.status_code == 302
    page = client.get(taken.headers["Location"]).get_data(as_text=True)
    assert NEW in page and "Er is al een account" not in page
    assert free.status_code == 200
    kinds = [
        m.kind
        for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == NEW))
    ]
    assert kinds == ["email_in_use"]
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "vrij.adres@example.org"
    assert db.session.get(User, owner.id).email == NEW


def test_a_link_for_an_address_taken_meanwhile_does_not_work(client, auth, make_user):
    user = make_user()
    auth.login(user)
    ask(client)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "email_change"))
    make_user(email=NEW)
    assert client.get(link_in(message)).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).email != NEW


def test_the_consent_history_links_the_version_accepted(client, auth):
    client.post(
        "/registreren",
        data={
            "name": "Nina Nieuw",
            "email": "nina@example.org",
            "password": PASSWORD,
            "password_repeat": PASSWORD,
            "accept_terms": "y",
            "confirm_age": "y",
        },
    )
    auth.login(db.session.scalar(select(User).where(User.email == "nina@example.org")))
    html = client.get("/account").get_data(as_text=True)
    assert 'href="/voorwaarden/versies#v-2026-11"' in html
