"""The world the access matrix runs in: one item in neighbourhood A with its author and a
co-manager, an unrelated resident, a manager of A, a manager of B, an admin and the staff
of A's city (the last four with TOTP on; B lies in another city), plus the records that
routes with ids point at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pyotp

from wijk.extensions import db
from wijk.models import (
    Breach,
    CityNews,
    ItemManager,
    MunicipalityStaff,
    NeighbourhoodManager,
    NeighbourhoodRequest,
    Newsletter,
    PrivacyRequest,
    User,
)
from wijk.models.base import utcnow

ROLES = (
    "anonymous",
    "resident",
    "author",
    "co_manager",
    "manager",
    "other_manager",
    "admin",
    "city_staff",
)
PASSWORD = "correct horse battery"


@dataclass
class World:
    users: dict[str, User | None]
    values: dict[str, object]


def build(make_user, make_neighbourhood, make_item) -> World:
    place_a = make_neighbourhood("Wijk A", postcodes=("3531",))
    place_b = make_neighbourhood("Wijk B", postcodes=("3532",))
    place_b.city = "Amersfoort"  # another city: its staff do not reach B
    users: dict[str, User | None] = {"anonymous": None}
    for role in ROLES[1:]:
        users[role] = make_user(name=f"Persoon {role}", is_admin=(role == "admin"))
    item = make_item(
        "activity",
        owner=users["author"],
        neighbourhood=place_a,
        contact_phone="0612345678",
        signups_enabled=True,
    )
    item.co_managers.append(ItemManager(user_id=users["co_manager"].id))
    db.session.add_all(
        [
            NeighbourhoodManager(neighbourhood_id=place_a.id, user_id=users["manager"].id),
            NeighbourhoodManager(neighbourhood_id=place_b.id, user_id=users["other_manager"].id),
            MunicipalityStaff(
                municipality_id=place_a.municipality_id, user_id=users["city_staff"].id
            ),
        ]
    )
    for role in ("manager", "other_manager", "admin", "city_staff"):
        users[role].totp_secret = pyotp.random_base32()
        users[role].totp_enabled_at = utcnow()
    news = make_item("news", owner=users["manager"], neighbourhood=place_a, title="Nieuws uit A")
    newsletter = Newsletter(
        neighbourhood_id=place_a.id,
        author_id=users["manager"].id,
        subject="Nieuws uit A",
        body_html="<p>Hallo</p>",
        body_text="Hallo",
        sent_at=utcnow(),
        recipient_count=0,
    )
    request = PrivacyRequest(
        kind="question",
        email="vraag@example.org",
        message="Vraag",
        due_at=utcnow() + timedelta(days=28),
    )
    breach = Breach(
        description="Lek",
        data_categories="e-mail",
        authority_deadline=utcnow() + timedelta(hours=72),
    )
    city_letter = Newsletter(
        municipality_id=place_a.municipality_id,
        author_id=users["city_staff"].id,
        subject="Nieuws uit de stad",
        body_html="<p>Hallo stad</p>",
        body_text="Hallo stad",
        sent_at=utcnow(),
        recipient_count=0,
    )
    asked = NeighbourhoodRequest(
        user_id=users["resident"].id,
        name="Nieuwe Wijk",
        municipality_name="Utrecht",
        postcodes="3599",
        motivation="Hier woont niemand op Wijk.",
    )
    db.session.add_all([newsletter, city_letter, request, breach, asked])
    db.session.commit()
    values = {
        "slug": place_a.slug,
        "item_id": item.id,
        "kind_slug": "activiteit",
        "newsletter_id": newsletter.id,
        "request_id": request.id,
        "breach_id": breach.id,
        "user_id": users["author"].id,
        "token": "ongeldig",
        "doc_id": 999999,
        "fmt": "csv",
        "filename": "css/wijk.css",
        "news_id": news.id,
        "key": "geen-afbeelding",
        "width": 480,
        "follow_id": 999999,
        "city_slug": place_a.municipality.slug,
        "city_newsletter_id": city_letter.id,
        "neighbourhood_request_id": asked.id,
        "month": utcnow().strftime("%Y-%m"),
    }
    world = World(users, values)
    world.values["_place_a"] = place_a
    fresh_city_news(world)
    return world


def fresh_city_news(world: World) -> None:
    """A new city news message for a cell whose request deletes it."""
    place = world.values["_place_a"]
    news = CityNews(
        municipality_id=place.municipality_id,  # type: ignore[attr-defined]
        title="Nieuws van de gemeente",
        body_html="<p>Hallo</p>",
    )
    db.session.add(news)
    db.session.commit()
    world.values["city_news_id"] = news.id


def fresh_news(world: World, make_item) -> None:
    """A new news item for a cell whose request deletes it."""
    news = make_item(
        "news",
        owner=world.users["manager"],
        neighbourhood=world.values["_place_a"],
        title="Nieuws uit A",
    )
    world.values["news_id"] = news.id


def log_in(client, user: User | None) -> None:
    if user is None:
        return
    response = client.post("/inloggen", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, user
    if user.totp_enabled_at:
        # A code counts once; the matrix logs each role in for every cell within seconds,
        # so it forgets the last accepted step first (this is not what it checks).
        user.totp_last_step = None
        db.session.commit()
        code = pyotp.TOTP(user.totp_secret).now()
        response = client.post("/inloggen/code", data={"code": code})
        assert response.status_code == 302, user
