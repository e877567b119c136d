"""Requests that need a person (four weeks to answer) and data breaches (72 hours)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from privacy_helpers import login_as_admin
from sqlalchemy import func, select

from wijk.extensions import db
from wijk.models import AuditEntry, Breach, OutboxMessage, PrivacyRequest
from wijk.models.base import utcnow


@pytest.fixture
def admin(make_user):
    return make_user(is_admin=True)


def test_anyone_can_send_a_request_with_a_four_week_deadline(client):
    response = client.post(
        "/privacy/verzoek",
        data={
            "kind": "restore",
            "email": "Oud.Lid@example.org",
            "message": "Ik heb mijn account per ongeluk verwijderd.",
        },
    )
    assert response.status_code == 200
    stored = db.session.scalar(select(PrivacyRequest))
    assert stored.email == "oud.lid@example.org" and stored.kind == "restore"
    assert stored.due_at - stored.created_at == timedelta(days=28)
    assert stored.user_id is None


def test_a_logged_in_request_is_linked_to_the_account(client, auth, make_user):
    user = make_user()
    auth.login(user)
    page = client.get("/privacy/verzoek?kind=objection").get_data(as_text=True)
    assert user.email in page and 'selected value="objection"' in page
    client.post(
        "/privacy/verzoek",
        data={"kind": "objection", "email": user.email, "message": "Ik maak bezwaar tegen ..."},
    )
    assert db.session.scalar(select(PrivacyRequest.user_id)) == user.id


def test_the_request_form_is_rate_limited(client):
    form = {"kind": "question", "email": "a@example.org", "message": "Een vraag over iets."}
    codes = [client.post("/privacy/verzoek", data=form).status_code for _ in range(6)]
    assert codes[:5] == [200] * 5 and codes[5] == 429
    assert db.session.scalar(select(func.count(PrivacyRequest.id))) == 5


def test_bad_requests_store_nothing(client):
    assert (
        client.post(
            "/privacy/verzoek", data={"kind": "hack", "email": "x", "message": ""}
        ).status_code
        == 400
    )
    client.post(
        "/privacy/verzoek",
        data={
            "kind": "question",
            "email": "bot@example.org",
            "message": "Buy cheap things now!",
            "website": "http://spam.example",
        },
    )
    assert db.session.scalar(select(func.count(PrivacyRequest.id))) == 0


def test_admin_sees_overdue_requests_and_answers_by_mail(client, auth, admin, make_user):
    now = utcnow()
    person = make_user()
    late = PrivacyRequest(
        kind="question",
        email=person.email,
        message="Late vraag",
        user_id=person.id,
        created_at=now - timedelta(days=29),
        due_at=now - timedelta(days=1),
    )
    fresh = PrivacyRequest(
        kind="objection",
        email="b@example.org",
        message="Nieuw bezwaar",
        created_at=now,
        due_at=now + timedelta(days=28),
    )
    db.session.add_all([late, fresh])
    db.session.commit()
    login_as_admin(auth, admin)
    listing = client.get("/privacy/beheer/verzoeken?lang=en").get_data(as_text=True)
    assert listing.count("is-overdue") == 1 and "overdue" in listing
    detail = client.get(f"/privacy/beheer/verzoeken/{late.id}").get_data(as_text=True)
    assert "Late vraag" in detail
    assert (
        db.session.scalar(select(AuditEntry.action).where(AuditEntry.subject_id == person.id))
        == "privacy_request.viewed"
    )
    response = client.post(
        f"/privacy/beheer/verzoeken/{late.id}", data={"answer": "Wij bewaren alleen uw account."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PrivacyRequest, late.id).answered_at is not None
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "privacy_answer"))
    assert mail.to_addr == person.email and "Wij bewaren alleen uw account." in mail.body_text
    listing = client.get("/privacy/beheer/verzoeken").get_data(as_text=True)
    assert "is-overdue" not in listing
    # A second answer is not possible.
    client.post(f"/privacy/beheer/verzoeken/{late.id}", data={"answer": "Nog eens"})
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_a_breach_shows_its_72_hour_deadline(client, auth, admin):
    login_as_admin(auth, admin)
    response = client.post(
        "/privacy/beheer/datalekken",
        data={
            "description": "Een laptop met een export is gestolen.",
            "data_categories": "namen en e-mailadressen van abonnees",
            "occurred_at": "",
            "discovered_at": "2026-11-20T09:30",
        },
    )
    assert response.status_code == 302
    breach = db.session.scalar(select(Breach))
    assert breach.authority_deadline - breach.discovered_at == timedelta(hours=72)
    assert breach.discovered_at.hour == 8  # 09:30 in Amsterdam is 08:30 UTC in November
    page = client.get(f"/privacy/beheer/datalekken/{breach.id}").get_data(as_text=True)
    assert "uur te laat" in page  # 20 November + 72 hours has passed
    recent = Breach(
        description="Verkeerde mail",
        data_categories="e-mailadres",
        discovered_at=utcnow() - timedelta(hours=2),
        authority_deadline=utcnow() + timedelta(hours=70),
    )
    db.session.add(recent)
    db.session.commit()
    page = client.get(f"/privacy/beheer/datalekken/{recent.id}").get_data(as_text=True)
    assert "nog 69 uur" in page or "nog 70 uur" in page
    client.post(f"/privacy/beheer/datalekken/{breach.id}/gemeld")
    db.session.expire_all()
    assert db.session.get(Breach, breach.id).reported_at is not None


def test_notifying_account_holders_queues_once(client, auth, admin, make_user):
    residents = [make_user() for _ in range(5)]
    make_user(verified=False)
    gone = make_user()
    gone.deleted_at = utcnow()
    breach = Breach(
        description="Lek",
        data_categories="e-mailadressen",
        discovered_at=utcnow(),
        authority_deadline=utcnow() + timedelta(hours=72),
    )
    db.session.add(breach)
    db.session.commit()
    login_as_admin(auth, admin)
    for _ in range(2):  # a double click
        assert client.post(f"/privacy/beheer/datalekken/{breach.id}/informeren").status_code == 302
    sent = set(
        db.session.scalars(select(OutboxMessage.to_addr).where(OutboxMessage.kind == "breach"))
    )
    assert sent == {u.email for u in residents} | {admin.email}
    body = db.session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.kind == "breach"))
    assert "Lek" in body and "e-mailadressen" in body


def test_breach_and_request_pages_refuse_non_admins(client, auth, make_user):
    auth.login(make_user())
    for path in (
        "/privacy/beheer/verzoeken",
        "/privacy/beheer/datalekken",
        "/privacy/beheer/verzoeken/1",
        "/privacy/beheer/datalekken/1",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post("/privacy/beheer/datalekken/1/informeren").status_code == 403
