"""The admin area: admins only (with TOTP), neighbourhoods with their postcodes, managers
appointed and removed by e-mail, account search, undelivered mail, the filtered audit
log, and `flask create-admin`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from manage_fixtures import audit_count, login, switch_on_totp
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from wijk.extensions import db
from wijk.models import (
    AuditEntry,
    Neighbourhood,
    NeighbourhoodManager,
    OutboxMessage,
    User,
)
from wijk.models.base import utcnow
from wijk.models.outbox import OutboxState


@pytest.fixture
def admin(make_user):
    user = make_user("Ada Admin", "ada@example.org", is_admin=True)
    switch_on_totp(user)
    return user


@pytest.fixture
def admin_client(client, admin):
    login(client, admin)
    return client


ADMIN_PAGES = [
    "/admin",
    "/admin/wijken",
    "/admin/wijken/nieuw",
    "/admin/gebruikers",
    "/admin/uitgaande-post",
    "/admin/audit",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_only_admins_open_the_admin_area(client, make_user, make_neighbourhood, make_manager, path):
    assert client.get(path).status_code == 302  # anonymous: to the login page
    manager = make_manager(make_neighbourhood())
    login(client, manager)
    assert client.get(path).status_code == 403
    assert client.post("/admin/wijken/nieuw", data={"name": "x"}).status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_every_admin_page_opens_for_an_admin(admin_client, path):
    assert admin_client.get(path).status_code == 200


def test_create_a_neighbourhood_with_postcodes(admin_client, admin):
    response = admin_client.post(
        "/admin/wijken/nieuw",
        data={
            "name": "Oog in Al",
            "slug": "oog-in-al",
            "city": "Utrecht",
            "description": "Aan het kanaal.",
            "postcodes": "3531, 3532 3531",
        },
    )
    assert response.status_code == 302
    place = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == "oog-in-al"))
    assert [p.postcode for p in place.postcodes] == ["3531", "3532"]
    assert (
        admin_client.get("/postcode?postcode=3532 AB")
        .headers["Location"]
        .endswith("/wijk/oog-in-al")
    )
    assert audit_count("neighbourhood.created", actor_id=admin.id, neighbourhood_id=place.id) == 1


@pytest.mark.parametrize(
    "field,value", [("postcodes", "3531, 35X2, 123"), ("slug", "Oog In Al"), ("name", "")]
)
def test_bad_neighbourhood_input_is_refused(admin_client, field, value):
    data = {
        "name": "Oog in Al",
        "slug": "oog-in-al",
        "city": "Utrecht",
        "postcodes": "3531",
        field: value,
    }
    response = admin_client.post("/admin/wijken/nieuw", data=data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Neighbourhood.id))) == 0


def test_edit_a_neighbourhood_and_its_postcodes(admin_client, make_neighbourhood):
    place = make_neighbourhood("Lombok", postcodes=("3531",))
    other = make_neighbourhood("Ondiep")
    url = f"/admin/wijken/{place.slug}"
    taken = admin_client.post(
        url, data={"name": "Lombok", "slug": other.slug, "city": "Utrecht", "postcodes": "3531"}
    )
    assert taken.status_code == 400
    response = admin_client.post(
        url,
        data={
            "name": "Lombok-Oost",
            "slug": place.slug,
            "city": "Utrecht",
            "postcodes": "3531 3533",
        },
    )
    assert response.status_code == 302
    db.session.refresh(place)
    assert place.name == "Lombok-Oost"
    assert [p.postcode for p in place.postcodes] == ["3531", "3533"]
    assert audit_count("neighbourhood.updated", neighbourhood_id=place.id) == 1


def test_only_an_empty_neighbourhood_can_be_deleted(admin_client, make_neighbourhood, make_item):
    full = make_neighbourhood("Vol")
    make_item("activity", neighbourhood=full)
    empty = make_neighbourhood("Leeg")
    admin_client.post(f"/admin/wijken/{full.slug}/verwijderen")
    admin_client.post(f"/admin/wijken/{empty.slug}/verwijderen")
    names = set(db.session.scalars(select(Neighbourhood.name)))
    assert names == {"Vol"}
    assert audit_count("neighbourhood.deleted") == 1


def test_appoint_and_remove_a_manager_by_email(admin_client, admin, make_user, make_neighbourhood):
    place = make_neighbourhood("Lombok")
    person = make_user("Mo Manager", "mo@example.org")
    url = f"/admin/wijken/{place.slug}/beheerders"
    assert admin_client.post(url, data={"email": "nobody@example.org"}).status_code == 400
    assert admin_client.post(url, data={"email": "MO@example.org"}).status_code == 302
    assert db.session.get(NeighbourhoodManager, (place.id, person.id)) is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "manager.appointed"))
    assert (entry.actor_id, entry.subject_id, entry.neighbourhood_id) == (
        admin.id,
        person.id,
        place.id,
    )
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "manager_appointed"))
    assert mail.to_addr == "mo@example.org" and f"/beheer/{place.slug}" in mail.body_text
    assert admin_client.post(url, data={"email": "mo@example.org"}).status_code == 400

    admin_client.post(f"{url}/verwijderen", data={"user_id": person.id})
    assert db.session.get(NeighbourhoodManager, (place.id, person.id)) is None
    assert audit_count("manager.removed", subject_id=person.id) == 1


def test_an_unverified_account_cannot_be_appointed(admin_client, make_user, make_neighbourhood):
    place = make_neighbourhood()
    make_user(email="new@example.org", verified=False)
    response = admin_client.post(
        f"/admin/wijken/{place.slug}/beheerders", data={"email": "new@example.org"}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(NeighbourhoodManager)) == 0


def test_one_person_can_manage_several_neighbourhoods(admin_client, make_user, make_neighbourhood):
    person = make_user(email="veel@example.org")
    for place in (make_neighbourhood(), make_neighbourhood()):
        admin_client.post(
            f"/admin/wijken/{place.slug}/beheerders", data={"email": "veel@example.org"}
        )
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(NeighbourhoodManager)
            .where(NeighbourhoodManager.user_id == person.id)
        )
        == 2
    )


def test_user_search_and_view_are_audited(admin_client, admin, make_user):
    jan = make_user("Jan de Vries", "jan@example.org")
    make_user("Els Bakker", "els@example.org")
    html = admin_client.get("/admin/gebruikers?q=vries").get_data(as_text=True)
    assert "jan@example.org" in html and "els@example.org" not in html
    assert audit_count("user.searched", subject_id=jan.id, actor_id=admin.id) == 1
    page = admin_client.get(f"/admin/gebruikers/{jan.id}").get_data(as_text=True)
    assert "Jan de Vries" in page
    assert audit_count("user.viewed", subject_id=jan.id, actor_id=admin.id) == 1
    assert admin_client.get("/admin/gebruikers/999999").status_code == 404


def test_failed_mail_is_listed_and_can_be_retried(admin_client, admin, make_user):
    person = make_user(email="kapot@example.org")
    rows = [
        OutboxMessage(
            kind="verify",
            to_addr=addr,
            subject="Hallo",
            body_text="x",
            status=OutboxState.FAILED,
            attempts=8,
            last_error="550 No such user",
        )
        for addr in ("kapot@example.org", "vreemd@example.net")
    ]
    rows.append(
        OutboxMessage(
            kind="verify",
            to_addr="goed@example.org",
            subject="Hallo",
            body_text="x",
            status=OutboxState.QUEUED,
        )
    )
    db.session.add_all(rows)
    db.session.commit()
    html = admin_client.get("/admin/uitgaande-post").get_data(as_text=True)
    assert "kapot@example.org" in html and "550 No such user" in html
    assert "goed@example.org" not in html
    assert audit_count("outbox.viewed", subject_id=person.id) == 1

    admin_client.post("/admin/uitgaande-post/opnieuw", data={"message_id": rows[0].id})
    db.session.refresh(rows[0])
    assert rows[0].status == OutboxState.QUEUED and rows[0].attempts == 0
    assert audit_count("outbox.retried", subject_id=person.id) == 1
    admin_client.post("/admin/uitgaande-post/opnieuw", data={"all": "1"})
    db.session.refresh(rows[1])
    assert rows[1].status == OutboxState.QUEUED


def test_audit_log_filters(admin_client, admin, make_user, make_neighbourhood):
    a, b = make_neighbourhood("Lombok"), make_neighbourhood("Ondiep")
    jan = make_user("Jan de Vries", "jan@example.org")
    kim = make_user("Kim Klaassen", "kim@example.org")
    old = utcnow() - timedelta(days=40)
    db.session.add_all(
        [
            AuditEntry(actor_id=admin.id, action="user.viewed", subject_id=jan.id),
            AuditEntry(
                actor_id=kim.id,
                action="item.hidden",
                subject_id=jan.id,
                neighbourhood_id=a.id,
                detail="Spam",
            ),
            AuditEntry(
                actor_id=kim.id,
                action="subscribers.exported",
                subject_id=jan.id,
                neighbourhood_id=b.id,
                created_at=old,
            ),
        ]
    )
    db.session.commit()

    def rows(**params):
        html = admin_client.get("/admin/audit", query_string=params).get_data(as_text=True)
        return html.count("<tr data-action=")

    assert rows() == 3
    assert rows(actie="item.hidden") == 1
    assert rows(door="kim@example.org") == 2
    assert rows(persoon=str(jan.id)) == 3
    assert rows(persoon="kim@example.org") == 0
    assert rows(wijk=b.id) == 1
    assert rows(van=(utcnow() - timedelta(days=1)).date().isoformat()) == 2
    assert rows(tot=(utcnow() - timedelta(days=30)).date().isoformat()) == 1
    assert rows(actie="no-such-action") == 3  # an unknown action is ignored, not an error


def test_create_admin_makes_a_verified_account_admin(runner, make_user):
    user = make_user(email="beheer@example.org")
    result = runner.invoke(args=["create-admin", "Beheer@Example.org"])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.is_admin
    assert audit_count("admin.granted", subject_id=user.id) == 1


def test_create_admin_creates_an_account_with_a_prompted_password(runner):
    secret = "een heel lang wachtwoord"
    result = runner.invoke(
        args=["create-admin", "nieuw@example.org"], input=f"{secret}\n{secret}\n"
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "nieuw@example.org"))
    assert user.is_admin and user.is_verified and check_password_hash(user.password_hash, secret)
    assert secret not in result.output


def test_create_admin_refuses_an_unverified_account(runner, make_user):
    user = make_user(email="onbevestigd@example.org", verified=False)
    result = runner.invoke(args=["create-admin", "onbevestigd@example.org"])
    assert result.exit_code != 0
    db.session.refresh(user)
    assert not user.is_admin
