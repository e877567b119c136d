"""The core promise: a personal value on content is absent from every public page until
its owner switches its flag on, and the contact e-mail never appears at all."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from wijk.extensions import db
from wijk.models import Item
from wijk.models.base import personal_fields

KINDS = ("activity", "organisation", "offer")
FIELDS = personal_fields(Item)
FIELD_NAMES = [f.name for f in FIELDS]
SLUGS = {"activity": "activiteit", "organisation": "organisatie", "offer": "vraag-aanbod"}


def canary(kind: str, field: str) -> str:
    if field == "contact_email":
        return f"canary-{kind}-{field.replace('_', '-')}@example.org"
    if field == "contact_phone":
        return f"+31 6 {abs(hash((kind, field))) % 10**8:08d}"
    return f"Canary {kind} {field} Zq{abs(hash((kind, field))) % 10**6}"


def public_pages(client, item, place) -> dict[str, str]:
    """Every public page the item appears on, fetched anonymously."""
    pages = {
        "home": client.get("/"),
        "neighbourhood": client.get(f"/wijk/{place.slug}"),
        "item": client.get(f"/{SLUGS[item.kind]}/{item.id}"),
    }
    html = pages["neighbourhood"].get_data(as_text=True)
    marker = 'rel="next" href="'
    while marker in html:  # follow the agenda's pagination to its end
        next_url = html.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")
        response = client.get(next_url)
        pages[f"page {next_url}"] = response
        html = response.get_data(as_text=True)
    for name, response in pages.items():
        assert response.status_code == 200, name
    return {name: r.get_data(as_text=True) for name, r in pages.items()}


@pytest.fixture
def crowded(make_item, make_neighbourhood, make_user):
    """A neighbourhood with enough activities to paginate; the canary item is last."""
    place = make_neighbourhood(postcodes=("3531",))
    owner = make_user()
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=1)
    for n in range(45):
        make_item(
            "activity",
            owner=owner,
            neighbourhood=place,
            starts_at=start + timedelta(hours=n),
            ends_at=start + timedelta(hours=n + 1),
        )
    return place


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("field", FIELD_NAMES)
def test_personal_field_hidden_until_flag_on(client, make_item, crowded, kind, field):
    value = canary(kind, field)
    extra = {}
    if kind == "activity":  # place it at the end, on the last page of the agenda
        start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=30)
        extra = {"starts_at": start, "ends_at": start + timedelta(hours=1)}
    item = make_item(kind, neighbourhood=crowded, **{field: value}, **extra)

    for name, html in public_pages(client, item, crowded).items():
        assert value not in html, f"hidden {field} leaked on {name}"

    declared = next(f for f in FIELDS if f.name == field)
    # Switch its flag on; a field that is never public gets every other flag on instead,
    # the most its owner can make public.
    for other in FIELDS:
        if other.flag and (declared.never_public or other is declared):
            setattr(item, other.flag, True)
    db.session.commit()
    pages = public_pages(client, item, crowded)
    if declared.never_public:
        for name, html in pages.items():
            assert value not in html, f"contact e-mail shown on {name} although never public"
    else:
        assert value in pages["item"], f"public {field} missing from the item page"


def test_every_personal_field_defaults_hidden(make_item):
    item = make_item(
        "activity",
        contact_name="X",
        contact_phone="0612345678",
        contact_email="x@example.org",
        address="Straat 1",
    )
    flags = [f.flag for f in FIELDS if f.flag]
    assert flags
    for flag in flags:
        assert getattr(item, flag) is False


def test_owner_sees_hidden_values_marked_hidden_with_toggle(client, auth, make_item, make_user):
    owner = make_user()
    item = make_item("activity", owner=owner, contact_phone="0611122233")
    auth.login(owner)
    html = client.get(f"/activiteit/{item.id}").get_data(as_text=True)
    assert "0611122233" in html
    assert "badge-hidden" in html
    assert 'name="field" value="contact_phone"' in html


def test_owner_toggles_a_field_public_and_back(client, auth, make_item, make_user):
    owner = make_user()
    item = make_item("offer", owner=owner, contact_name="Truus Teller")
    auth.login(owner)
    client.post(
        f"/vraag-aanbod/{item.id}/zichtbaarheid", data={"field": "contact_name", "public": "1"}
    )
    auth.logout()
    assert "Truus Teller" in client.get(f"/vraag-aanbod/{item.id}").get_data(as_text=True)
    auth.login(owner)
    client.post(
        f"/vraag-aanbod/{item.id}/zichtbaarheid", data={"field": "contact_name", "public": "0"}
    )
    auth.logout()
    assert "Truus Teller" not in client.get(f"/vraag-aanbod/{item.id}").get_data(as_text=True)


def test_other_resident_cannot_toggle_visibility(client, auth, make_item, make_user):
    item = make_item("activity", contact_phone="0633344455")
    auth.login(make_user())
    response = client.post(
        f"/activiteit/{item.id}/zichtbaarheid", data={"field": "contact_phone", "public": "1"}
    )
    assert response.status_code == 403
    db.session.refresh(item)
    assert item.contact_phone_public is False


def test_unknown_field_name_is_refused(client, auth, make_item, make_user):
    owner = make_user()
    item = make_item("activity", owner=owner)
    auth.login(owner)
    response = client.post(
        f"/activiteit/{item.id}/zichtbaarheid", data={"field": "password_hash", "public": "1"}
    )
    assert response.status_code == 400


def test_other_resident_sees_only_public_values(client, auth, make_item, make_user):
    item = make_item(
        "organisation",
        contact_name="Publieke Piet",
        contact_name_public=True,
        contact_phone="0699988877",
    )
    auth.login(make_user())
    html = client.get(f"/organisatie/{item.id}").get_data(as_text=True)
    assert "Publieke Piet" in html
    assert "0699988877" not in html


def test_a_view_on_a_date_is_the_view_with_that_date_and_nothing_else(app, make_item):
    """visibility.on_dates copies views without dataclasses.replace (for speed): the copy
    must equal what replace gives, and stay a frozen ItemView."""
    import dataclasses
    from datetime import timedelta

    from wijk.visibility import ItemView, _on_date, item_view

    item = make_item("activity", contact_name="Fatima", contact_name_public=True)
    with app.test_request_context("/"):
        view = item_view(item, None)
    later = view.starts_at + timedelta(weeks=1)
    dated = _on_date(view, later, None, True)
    assert dated == dataclasses.replace(view, starts_at=later, ends_at=None, moved=True)
    assert view.starts_at != later and not view.moved  # the original is untouched
    assert not hasattr(ItemView, "__post_init__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        dated.title = "anders"  # type: ignore[misc]
