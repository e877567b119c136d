from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from wijk.extensions import db
from wijk.models import Item, ItemManager, OutboxMessage

AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # the site's calendar, also between 23:00 and 0:00 UTC


def activity_form(place, **over):
    data = {
        "neighbourhood_id": place.id,
        "title": "Buurtbarbecue",
        "description": "Iedereen is welkom.\n\nNeem een stoel mee.",
        "starts_at": "2030-06-01T17:00",
        "ends_at": "2030-06-01T21:00",
        "location_name": "Speeltuin",
        "contact_name": "Kees",
        "contact_phone": "06 1234 5678",
        "contact_email": "kees@example.org",
    }
    data.update(over)
    return data


def test_resident_posts_an_activity_with_everything_hidden(
    client, auth, make_user, make_neighbourhood
):
    place = make_neighbourhood()
    owner = make_user()
    auth.login(owner)
    response = client.post("/plaatsen/activiteit", data=activity_form(place))
    assert response.status_code == 302
    item = db.session.scalar(select(Item))
    assert item.kind == "activity" and item.owner_id == owner.id
    assert item.description == "<p>Iedereen is welkom.</p><p>Neem een stoel mee.</p>"
    assert not (item.contact_name_public or item.contact_phone_public or item.address_public)
    auth.logout()
    html = client.get(f"/activiteit/{item.id}").get_data(as_text=True)
    assert "Buurtbarbecue" in html and "Kees" not in html and "1234 5678" not in html


@pytest.mark.parametrize(
    "slug,data",
    [
        ("organisatie", {"title": "Voedselbank", "website": "https://voedselbank.example.org"}),
        (
            "vraag-aanbod",
            {
                "title": "Ladder te leen",
                "offer_kind": "offer",
                "expires_on": (datetime.now(AMSTERDAM).date() + timedelta(days=10)).isoformat(),
            },
        ),
    ],
)
def test_resident_posts_organisation_and_offer(
    client, auth, make_user, make_neighbourhood, slug, data
):
    place = make_neighbourhood()
    auth.login(make_user())
    response = client.post(f"/plaatsen/{slug}", data={"neighbourhood_id": place.id, **data})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get(response.headers["Location"]).status_code == 200


def test_offer_form_defaults_to_sixty_days(client, auth, make_user):
    auth.login(make_user())
    html = client.get("/plaatsen/vraag-aanbod").get_data(as_text=True)
    assert (datetime.now(AMSTERDAM).date() + timedelta(days=60)).isoformat() in html


def test_bad_input_rerenders_with_message_and_keeps_text(
    client, auth, make_user, make_neighbourhood
):
    place = make_neighbourhood()
    auth.login(make_user())
    data = activity_form(
        place, title="", ends_at="2030-05-01T10:00", description="Mijn lange verhaal blijft staan"
    )
    response = client.post("/plaatsen/activiteit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="title-error"' in html and 'id="ends_at-error"' in html
    assert "Mijn lange verhaal blijft staan" in html
    assert db.session.scalar(select(func.count(Item.id))) == 0


def test_overlong_input_is_refused_with_a_message(client, auth, make_user, make_neighbourhood):
    place = make_neighbourhood()
    auth.login(make_user())
    response = client.post("/plaatsen/activiteit", data=activity_form(place, title="x" * 201))
    assert response.status_code == 400
    assert 'id="title-error"' in response.get_data(as_text=True)
    response = client.post(
        "/plaatsen/activiteit", data=activity_form(place, description="y" * 10_001)
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Item.id))) == 0


def test_script_in_description_never_reaches_the_page(client, auth, make_user, make_neighbourhood):
    place = make_neighbourhood()
    auth.login(make_user())
    payload = (
        '<p>Hallo<script>alert("xss")</script><img src=x onerror=alert(1)>'
        '<a href="javascript:alert(2)">klik</a></p>'
    )
    client.post(
        "/plaatsen/activiteit",
        data=activity_form(place, description=payload, title="<script>t()</script>"),
    )
    item = db.session.scalar(select(Item))
    html = client.get(f"/activiteit/{item.id}").get_data(as_text=True)
    assert "<script>alert" not in html and "<script>t()" not in html
    assert "onerror" not in html and "javascript:" not in html
    assert "&lt;script&gt;t()&lt;/script&gt;" in html  # the title is shown as text


def test_links_in_descriptions_get_nofollow_noopener(client, auth, make_user, make_neighbourhood):
    place = make_neighbourhood()
    auth.login(make_user())
    client.post(
        "/plaatsen/activiteit",
        data=activity_form(place, description="Zie https://wijk.example.org"),
    )
    item = db.session.scalar(select(Item))
    assert 'rel="nofollow noopener"' in item.description


@pytest.mark.parametrize(
    "kind,slug",
    [("activity", "activiteit"), ("organisation", "organisatie"), ("offer", "vraag-aanbod")],
)
def test_another_user_cannot_edit_or_delete_your_item(
    client, auth, make_item, make_user, kind, slug
):
    item = make_item(kind, title="Van mij")
    auth.login(make_user())
    assert client.get(f"/{slug}/{item.id}/bewerken").status_code == 403
    assert client.post(f"/{slug}/{item.id}/bewerken", data={"title": "Gekaapt"}).status_code == 403
    assert client.get(f"/{slug}/{item.id}/verwijderen").status_code == 403
    assert client.post(f"/{slug}/{item.id}/verwijderen").status_code == 403
    db.session.refresh(item)
    assert item.title == "Van mij"


def test_anonymous_visitor_is_sent_to_login_for_edit(client, make_item):
    item = make_item("activity")
    response = client.get(f"/activiteit/{item.id}/bewerken")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_owner_edits_and_deletes(client, auth, make_item, make_user):
    owner = make_user()
    item = make_item("activity", owner=owner)
    auth.login(owner)
    form = client.get(f"/activiteit/{item.id}/bewerken").get_data(as_text=True)
    assert item.title in form
    data = activity_form(item.neighbourhood, title="Nieuwe titel")
    assert client.post(f"/activiteit/{item.id}/bewerken", data=data).status_code == 302
    db.session.refresh(item)
    assert item.title == "Nieuwe titel"
    item_id = item.id
    assert client.post(f"/activiteit/{item_id}/verwijderen").status_code == 302
    db.session.expire_all()
    assert db.session.get(Item, item_id) is None
    assert client.get(f"/activiteit/{item_id}").status_code == 404


def test_unknown_item_and_wrong_kind_give_friendly_404(client, make_item):
    item = make_item("activity")
    for url in ("/activiteit/999999", f"/organisatie/{item.id}", "/wijk/bestaat-niet"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Pagina niet gevonden" in response.get_data(
            as_text=True
        ) or "Page not found" in response.get_data(as_text=True)


def test_co_manager_invitation_lets_the_invitee_edit(client, app, auth, make_item, make_user):
    owner, helper = make_user(), make_user()
    item = make_item("organisation", owner=owner)
    auth.login(owner)
    response = client.post(f"/organisatie/{item.id}/uitnodigen", data={"email": helper.email})
    assert response.status_code == 302
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "invite"))
    assert message.to_addr == helper.email
    link = re.search(r"https?://\S+", message.body_text).group(0).split("localhost", 1)[1]
    auth.logout()

    auth.login(helper)
    assert client.get(f"/organisatie/{item.id}/bewerken").status_code == 403
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert db.session.scalar(select(ItemManager).where(ItemManager.user_id == helper.id))
    assert client.get(f"/organisatie/{item.id}/bewerken").status_code == 200
    # A co-manager edits but does not delete, and the link works only once.
    assert client.post(f"/organisatie/{item.id}/verwijderen").status_code == 403
    assert client.post(link).status_code == 400


def test_resident_cannot_invite_to_someone_elses_item(client, auth, make_item, make_user):
    item = make_item("activity")
    auth.login(make_user())
    response = client.post(f"/activiteit/{item.id}/uitnodigen", data={"email": "x@example.org"})
    assert response.status_code == 403
    assert db.session.scalar(select(OutboxMessage)) is None


def test_my_posts_lists_own_and_co_managed_items(client, auth, make_item, make_user):
    owner = make_user()
    mine = make_item("activity", owner=owner, title="Eigen activiteit")
    shared = make_item("offer", title="Gedeeld aanbod")
    shared.co_managers.append(ItemManager(user_id=owner.id))
    make_item("activity", title="Van een ander")
    db.session.commit()
    auth.login(owner)
    html = client.get("/mijn/bijdragen").get_data(as_text=True)
    assert mine.title in html and "Gedeeld aanbod" in html and "Van een ander" not in html
