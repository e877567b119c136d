"""News items belong to managers and have their own routes; every page that lists a
person's items links to them without breaking."""

from __future__ import annotations

from wijk.extensions import db
from wijk.models import NeighbourhoodManager


def test_a_manager_with_news_can_open_every_page_listing_their_items(
    client, auth, make_user, make_neighbourhood, make_item
):
    place = make_neighbourhood()
    manager = make_user()
    db.session.add(NeighbourhoodManager(neighbourhood_id=place.id, user_id=manager.id))
    db.session.commit()
    news = make_item("news", owner=manager, neighbourhood=place, title="Straatfeest")
    auth.login(manager)
    for url in ("/mijn/gegevens", "/mijn/bijdragen"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f"/nieuws/{news.id}" in response.get_data(as_text=True), url
    assert client.get("/mijn/gegevens/verwijderen").status_code == 200
