"""Moderation depth (issue 17), always a person's decision: managers suspend in their own
neighbourhoods and admins site-wide, with a reason, a mail, an audit entry the person
sees under "Mijn gegevens" and a way to answer; lifting restores what it hid. A
neighbourhood may hold new people's first posts and posts with listed words for review;
the manager's item page shows the whole item."""

from __future__ import annotations

from datetime import timedelta

import pytest
from manage_fixtures import audit_count, login
from sqlalchemy import func, select

from wijk.extensions import db
from wijk.models import Item, ModerationRules, OutboxMessage, Suspension
from wijk.models.base import utcnow
from wijk.privacy.retention import purge


def activity_form(place, **over):
    data = {
        "neighbourhood_id": place.id,
        "title": "Buurtbarbecue",
        "description": "Iedereen is welkom.",
        "starts_at": "2030-06-01T17:00",
        "ends_at": "2030-06-01T21:00",
        "location_name": "Speeltuin",
    }
    data.update(over)
    return data


def mails_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_addr == address).order_by(OutboxMessage.id)
        )
    )


def item_count(owner) -> int:
    return db.session.scalar(select(func.count(Item.id)).where(Item.owner_id == owner.id))


@pytest.fixture
def world(app, make_neighbourhood, make_manager, make_user, make_item):
    a, b = make_neighbourhood("Lombok"), make_neighbourhood("Ondiep")
    author = make_user("Anna de Boer", "anna@example.org")
    return {
        "a": a,
        "b": b,
        "author": author,
        "manager_a": make_manager(a, name="Mirjam Beheer", email="mirjam@example.org"),
        "manager_b": make_manager(b, name="Bert Beheer"),
        "admin": make_manager(name="Ada Admin", is_admin=True),
        "item_a": make_item("activity", owner=author, neighbourhood=a, title="Buurtsoep"),
        "item_b": make_item("activity", owner=author, neighbourhood=b, title="Ondiep eet"),
    }


def client_for(app, user):
    client = app.test_client()
    login(client, user)
    return client


def suspend(client, place, item, reason="Herhaaldelijk reclame", **extra):
    return client.post(
        f"/beheer/{place.slug}/items/{item.id}/schorsen", data={"reason": reason, **extra}
    )


def test_a_suspended_person_cannot_post_in_that_neighbourhood_and_sees_the_decision(app, world):
    w = world
    manager = client_for(app, w["manager_a"])
    assert suspend(manager, w["a"], w["item_a"]).status_code == 302

    db.session.expire_all()
    assert w["item_a"].status == "suspended" and w["item_b"].status == "published"
    assert "Buurtsoep" not in app.test_client().get(f"/wijk/{w['a'].slug}").get_data(as_text=True)
    [mail] = mails_to("anna@example.org")
    assert "Herhaaldelijk reclame" in mail.body_text and "Lombok" in mail.subject
    assert (
        audit_count("person.suspended", subject_id=w["author"].id, neighbourhood_id=w["a"].id) == 1
    )

    author = client_for(app, w["author"])
    before = item_count(w["author"])
    refused = author.post("/plaatsen/activiteit", data=activity_form(w["a"]))
    assert refused.status_code == 403 and "geschorst" in refused.get_data(as_text=True)
    assert item_count(w["author"]) == before
    edit = author.post(
        f"/activiteit/{w['item_a'].id}/bewerken", data=activity_form(w["a"], title="Toch nog")
    )
    assert edit.status_code == 403
    assert (
        author.post("/plaatsen/activiteit", data=activity_form(w["b"])).status_code == 302
    )  # elsewhere: fine
    assert item_count(w["author"]) == before + 1

    page = author.get("/mijn/gegevens").get_data(as_text=True)
    assert 'id="suspensions"' in page and "Herhaaldelijk reclame" in page
    assert "Heeft je geschorst" in page  # the audit entry, in the person's own words

    suspension = db.session.scalar(select(Suspension))
    answered = author.post(
        "/mijn/schorsing/antwoord",
        data={"suspension_id": suspension.id, "answer": "Het was eenmalig"},
    )
    assert answered.status_code == 302
    [relayed] = mails_to("mirjam@example.org")
    assert "Het was eenmalig" in relayed.body_text and "Anna de Boer" in relayed.body_text
    assert "anna@example.org" not in relayed.body_text
    assert "Het was eenmalig" in manager.get(f"/beheer/{w['a'].slug}/schorsingen").get_data(
        as_text=True
    )

    lifted = manager.post(
        f"/beheer/{w['a'].slug}/schorsingen/opheffen",
        data={"suspension_id": suspension.id, "reason": "Afgesproken"},
    )
    assert lifted.status_code == 302
    db.session.expire_all()
    assert w["item_a"].status == "published" and suspension.lifted_at is not None
    assert "Afgesproken" in mails_to("anna@example.org")[-1].body_text
    assert author.post("/plaatsen/activiteit", data=activity_form(w["a"])).status_code == 302


def test_a_manager_suspends_only_in_their_own_neighbourhood_and_never_site_wide(app, world):
    w = world
    other = client_for(app, w["manager_b"])
    assert suspend(other, w["a"], w["item_a"]).status_code == 403
    manager = client_for(app, w["manager_a"])
    assert suspend(manager, w["a"], w["item_a"], site_wide="y").status_code == 403
    assert db.session.scalar(select(func.count(Suspension.id))) == 0
    assert audit_count("access.denied", actor_id=w["manager_a"].id) == 1
    assert suspend(manager, w["a"], w["item_a"], reason=" ").status_code == 400
    assert db.session.scalar(select(func.count(Suspension.id))) == 0


def test_an_admin_suspends_site_wide_and_only_an_admin_lifts_it(app, world):
    w = world
    admin = client_for(app, w["admin"])
    assert suspend(admin, w["a"], w["item_a"], site_wide="y").status_code == 302
    suspension = db.session.scalar(select(Suspension))
    assert suspension.neighbourhood_id is None
    db.session.expire_all()
    assert w["item_a"].status == w["item_b"].status == "suspended"
    author = client_for(app, w["author"])
    assert author.post("/plaatsen/activiteit", data=activity_form(w["b"])).status_code == 403

    manager = client_for(app, w["manager_a"])
    refused = manager.post(
        f"/beheer/{w['a'].slug}/schorsingen/opheffen",
        data={"suspension_id": suspension.id, "reason": "Mag weer"},
    )
    assert refused.status_code == 403
    db.session.expire_all()
    assert suspension.lifted_at is None
    admin.post(
        f"/beheer/{w['a'].slug}/schorsingen/opheffen",
        data={"suspension_id": suspension.id, "reason": "Mag weer"},
    )
    db.session.expire_all()
    assert w["item_a"].status == w["item_b"].status == "published"


def test_lifting_restores_only_what_the_suspension_hid(app, world, make_item):
    w = world
    hidden_before = make_item(
        "activity",
        owner=w["author"],
        neighbourhood=w["a"],
        status="hidden",
        moderation_reason="Spam",
    )
    manager = client_for(app, w["manager_a"])
    admin = client_for(app, w["admin"])
    suspend(manager, w["a"], w["item_a"])
    suspend(admin, w["b"], w["item_b"], site_wide="y")
    local = db.session.scalar(select(Suspension).where(Suspension.neighbourhood_id.is_not(None)))
    manager.post(
        f"/beheer/{w['a'].slug}/schorsingen/opheffen",
        data={"suspension_id": local.id, "reason": "Klaar"},
    )
    db.session.expire_all()
    assert w["item_a"].status == "suspended"  # the site-wide suspension still covers it
    assert hidden_before.status == "hidden"
    site_wide = db.session.scalar(select(Suspension).where(Suspension.neighbourhood_id.is_(None)))
    admin.post(
        f"/beheer/{w['a'].slug}/schorsingen/opheffen",
        data={"suspension_id": site_wide.id, "reason": "Klaar"},
    )
    db.session.expire_all()
    assert w["item_a"].status == w["item_b"].status == "published"
    assert hidden_before.status == "hidden"  # a manager's own decision stays


def test_someone_else_cannot_answer_a_suspension(app, world, make_user):
    w = world
    suspend(client_for(app, w["manager_a"]), w["a"], w["item_a"])
    suspension = db.session.scalar(select(Suspension))
    stranger = client_for(app, make_user())
    response = stranger.post(
        "/mijn/schorsing/antwoord", data={"suspension_id": suspension.id, "answer": "Namens Anna"}
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert suspension.answer is None


def test_first_posts_of_a_new_person_wait_for_approval(app, world, make_user):
    w = world
    manager = client_for(app, w["manager_a"])
    saved = manager.post(
        f"/beheer/{w['a'].slug}/regels", data={"hold_first_posts": "1", "held_words": ""}
    )
    assert saved.status_code == 302
    newcomer = make_user("Nieuwe Buur", "nieuw@example.org")
    client = client_for(app, newcomer)
    client.post("/plaatsen/activiteit", data=activity_form(w["a"], title="Eerste post"))
    first = db.session.scalar(select(Item).where(Item.title == "Eerste post"))
    assert first.status == "held"
    assert "Eerste post" not in app.test_client().get(f"/wijk/{w['a'].slug}").get_data(as_text=True)
    queue = manager.get(f"/beheer/{w['a'].slug}").get_data(as_text=True)
    assert "Eerste post" in queue and "Wacht op jouw goedkeuring" in queue

    assert manager.post(f"/beheer/{w['a'].slug}/items/{first.id}/goedkeuren").status_code == 302
    db.session.expire_all()
    assert first.status == "published"
    assert "Eerste post" in mails_to("nieuw@example.org")[-1].subject
    assert audit_count("item.approved", item_id=first.id, actor_id=w["manager_a"].id) == 1

    client.post("/plaatsen/activiteit", data=activity_form(w["a"], title="Tweede post"))
    assert db.session.scalar(select(Item.status).where(Item.title == "Tweede post")) == "published"
    client.post("/plaatsen/activiteit", data=activity_form(w["b"], title="Elders"))
    assert db.session.scalar(select(Item.status).where(Item.title == "Elders")) == "published"


def test_a_listed_word_holds_a_post_for_review_instead_of_publishing_it(app, world):
    w = world
    db.session.add(ModerationRules(neighbourhood_id=w["a"].id, held_words="casino\ngratis geld"))
    db.session.commit()
    author = client_for(app, w["author"])
    response = author.post(
        "/plaatsen/activiteit",
        data=activity_form(w["a"], title="Avondje uit", description="<p>Naar het CASINO!</p>"),
        follow_redirects=True,
    )
    assert "beoordeelt" in response.get_data(as_text=True)
    held = db.session.scalar(select(Item).where(Item.title == "Avondje uit"))
    assert held.status == "held" and held.moderation_reason == "word:casino"
    assert audit_count("item.held", item_id=held.id, actor_id=None) == 1
    author.post("/plaatsen/activiteit", data=activity_form(w["a"], title="Casinoweg"))
    assert (
        db.session.scalar(select(Item.status).where(Item.title == "Casinoweg")) == "published"
    )  # a word, not a part of one
    author.post(
        f"/activiteit/{w['item_a'].id}/bewerken",
        data=activity_form(w["a"], title="Buurtsoep", description="Gratis geld"),
    )
    db.session.expire_all()
    assert w["item_a"].status == "held"

    manager = client_for(app, w["manager_a"])
    page = manager.get(f"/beheer/{w['a'].slug}/items/{held.id}").get_data(as_text=True)
    assert "casino" in page and "Goedkeuren" in page
    manager.post(f"/beheer/{w['a'].slug}/items/{held.id}/verbergen", data={"reason": "Gokken"})
    db.session.expire_all()
    assert held.status == "hidden"


def test_the_manager_item_page_shows_the_whole_item(app, world, make_item):
    w = world
    item = make_item(
        "activity",
        owner=w["author"],
        neighbourhood=w["a"],
        title="Rommelmarkt",
        location_name="Pleintje",
        rrule="FREQ=WEEKLY;COUNT=3",
        picture_key="abcdef0123456789",
        contact_phone="06 1111 2222",
        contact_phone_public=True,
        contact_name="Geheime Naam",
    )
    page = (
        client_for(app, w["manager_a"])
        .get(f"/beheer/{w['a'].slug}/items/{item.id}")
        .get_data(as_text=True)
    )
    assert "Pleintje" in page and "3 keer" in page and "Lombok" in page
    assert "abcdef0123456789" in page  # the picture
    assert f'datetime="{item.starts_at.isoformat()}"' in page
    assert "06 1111 2222" in page and "Geheime Naam" not in page  # the public fields only


def test_lifted_suspensions_are_erased_after_a_year(app, world):
    w = world
    now = utcnow()
    db.session.add_all(
        [
            Suspension(
                user_id=w["author"].id,
                neighbourhood_id=w["a"].id,
                reason="Oud",
                created_at=now - timedelta(days=800),
                lifted_at=now - timedelta(days=366),
            ),
            Suspension(
                user_id=w["author"].id,
                neighbourhood_id=w["b"].id,
                reason="Loopt nog",
                created_at=now - timedelta(days=800),
            ),
        ]
    )
    db.session.commit()
    assert purge(now)["suspension"] == 1
    assert db.session.scalars(select(Suspension.reason)).all() == ["Loopt nog"]
    assert purge(now)["suspension"] == 0
