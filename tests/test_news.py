"""News: the managers of a neighbourhood post it on their neighbourhood's page; it shows
in the feed, the sitemap and search; nobody else may post, edit or remove it."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from manage_fixtures import code_for
from sqlalchemy import select

from wijk.extensions import db
from wijk.models import Item, NeighbourhoodManager, NewsItem
from wijk.models.base import utcnow


def with_totp(user):
    """Managers and admins switch two-step login on before their pages open (issue 4)."""
    user.totp_secret, user.totp_enabled_at = pyotp.random_base32(), utcnow()
    db.session.commit()
    return user


@pytest.fixture
def login(auth, client):
    """Log in, through the second step when the person has two-step login on."""

    def log_in(user):
        response = auth.login(user)
        if response.headers.get("Location", "").endswith("/inloggen/code"):
            client.post("/inloggen/code", data={"code": code_for(user)})

    return log_in


@pytest.fixture
def manager_of(make_user):
    def make(place):
        user = with_totp(make_user())
        db.session.add(NeighbourhoodManager(neighbourhood_id=place.id, user_id=user.id))
        db.session.commit()
        return user

    return make


def post(client, place, title="Straatfeest op zaterdag", body="Kom allemaal!"):
    return client.post(f"/wijk/{place.slug}/nieuws/nieuw", data={"title": title, "body": body})


def test_manager_posts_news_that_shows_everywhere_public(
    client, auth, login, make_neighbourhood, manager_of
):
    place = make_neighbourhood()
    login(manager_of(place))
    assert client.get(f"/wijk/{place.slug}/nieuws/nieuw").status_code == 200
    response = post(client, place, body="Kom allemaal!\n\n<script>alert(1)</script>Gezellig")
    assert response.status_code == 302
    news = db.session.scalar(select(NewsItem))
    assert news.neighbourhood_id == place.id and news.is_published
    assert "<script>" not in news.description
    auth.logout()
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "Straatfeest op zaterdag" in page.get_data(as_text=True)
    for url in (
        f"/wijk/{place.slug}",
        f"/wijk/{place.slug}/nieuws",
        f"/wijk/{place.slug}/feed.atom",
        "/sitemap.xml",
        "/zoeken?q=straatfeest",
    ):
        body = client.get(url).get_data(as_text=True)
        assert "Straatfeest op zaterdag" in body or f"/nieuws/{news.id}" in body, url


def test_only_managers_of_that_neighbourhood_may_post(
    client, auth, login, make_neighbourhood, make_user, manager_of
):
    place, other = make_neighbourhood(), make_neighbourhood()
    response = client.get(f"/wijk/{place.slug}/nieuws/nieuw")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    for person in (make_user(), manager_of(other)):
        login(person)
        assert client.get(f"/wijk/{place.slug}/nieuws/nieuw").status_code == 403
        assert post(client, place).status_code == 403
        assert "nieuws/nieuw" not in client.get(f"/wijk/{place.slug}").get_data(as_text=True)
        auth.logout()
    assert db.session.scalar(select(NewsItem)) is None
    login(with_totp(make_user(is_admin=True)))
    assert post(client, place).status_code == 302


def test_managers_edit_and_delete_and_others_cannot(
    client, auth, login, make_neighbourhood, make_user, manager_of
):
    place, other = make_neighbourhood(), make_neighbourhood()
    author, colleague = manager_of(place), manager_of(place)
    login(author)
    post(client, place)
    news = db.session.scalar(select(NewsItem))
    auth.logout()
    for person in (make_user(), manager_of(other)):
        login(person)
        assert client.get(f"/nieuws/{news.id}/bewerken").status_code == 403
        assert client.post(f"/nieuws/{news.id}/verwijderen").status_code == 403
        auth.logout()
    login(colleague)  # any manager of the neighbourhood, not only the author
    response = client.post(
        f"/nieuws/{news.id}/bewerken",
        data={"title": "Straatfeest gaat door", "body": "Ook bij regen."},
    )
    assert response.status_code == 302
    db.session.refresh(news)
    assert news.title == "Straatfeest gaat door" and news.description == "<p>Ook bij regen.</p>"
    assert client.post(f"/nieuws/{news.id}/verwijderen").status_code == 302
    db.session.expire_all()
    assert db.session.get(Item, news.id) is None
    assert client.get(f"/nieuws/{news.id}").status_code == 404


def test_news_is_not_a_kind_residents_create_through_the_content_forms(
    client, auth, make_user, make_item
):
    auth.login(make_user())
    assert client.get("/plaatsen/nieuws").status_code == 404
    news = make_item("news", title="Nieuws")
    assert client.get(f"/nieuws/{news.id}/bewerken").status_code == 403
    activity = make_item("activity")
    assert client.get(f"/nieuws/{activity.id}").status_code == 404


def test_neighbourhood_page_shows_recent_news_and_the_archive_keeps_the_rest(
    client, make_neighbourhood, make_item
):
    place = make_neighbourhood()
    recent = make_item("news", neighbourhood=place, title="Vers nieuws")
    old = make_item("news", neighbourhood=place, title="Oud nieuws")
    old.created_at = utcnow() - timedelta(days=200)
    make_item("news", neighbourhood=place, title="Verborgen nieuws", status="hidden")
    db.session.commit()
    page = client.get(f"/wijk/{place.slug}").get_data(as_text=True)
    assert "Vers nieuws" in page and "Oud nieuws" not in page
    archive = client.get(f"/wijk/{place.slug}/nieuws").get_data(as_text=True)
    assert "Vers nieuws" in archive and "Oud nieuws" in archive
    assert "Verborgen nieuws" not in archive
    assert archive.index("Vers nieuws") < archive.index("Oud nieuws")
    assert client.get(f"/nieuws/{recent.id}").status_code == 200


def test_a_manager_without_two_step_login_cannot_post_yet(
    client, auth, make_neighbourhood, make_user
):
    place = make_neighbourhood()
    manager = make_user()
    db.session.add(NeighbourhoodManager(neighbourhood_id=place.id, user_id=manager.id))
    db.session.commit()
    auth.login(manager)
    response = post(client, place)
    assert response.status_code == 302  # to switch on two-step login first
    assert response.headers["Location"].startswith("/account/")
    assert db.session.scalar(select(NewsItem)) is None
