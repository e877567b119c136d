"""Lists read items as plain rows (wijk.models.listed), not as mapped instances: the gate
must hand out exactly what it hands out for the mapped item, to every kind of viewer,
and the neighbourhood page must really skip the ORM's hydration (issue 16)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from wijk.discover.search import search
from wijk.extensions import db
from wijk.models import ActivityOccurrence, Item, ItemCategory, ItemManager, ItemStatus
from wijk.models.base import personal_fields
from wijk.models.listed import (
    ListedItem,
    item_columns,
    listed_item,
    with_place,
)
from wijk.neighbourhoods.services import board, upcoming_activities
from wijk.visibility import item_view

PERSONAL = {
    "address": "Lindelaan 4",
    "contact_name": "Jet de Vries",
    "contact_phone": "030 123 45 67",
    "contact_email": "jet@example.org",
}


@contextmanager
def mapped_loads():
    """The mapped items and dates the ORM loads inside the block."""
    loaded: list[object] = []

    def count(target, _context):
        loaded.append(target)

    event.listen(Item, "load", count, propagate=True)
    event.listen(ActivityOccurrence, "load", count)
    try:
        yield loaded
    finally:
        event.remove(Item, "load", count)
        event.remove(ActivityOccurrence, "load", count)


def read_listed(item_id: int) -> ListedItem:
    statement = with_place(select(*item_columns())).where(Item.id == item_id)
    return listed_item(db.session.connection().execute(statement).one())


@pytest.mark.parametrize("kind", ["activity", "organisation", "offer", "news"])
@pytest.mark.parametrize("viewer", ["anonymous", "resident", "owner", "co-manager"])
@pytest.mark.parametrize("organisation_published", [True, False])
def test_a_listed_item_gets_the_view_of_the_mapped_item(
    app, make_item, make_user, kind, viewer, organisation_published
):
    organisation = make_item(
        "organisation",
        status=ItemStatus.PUBLISHED if organisation_published else ItemStatus.HIDDEN,
    )
    item = make_item(
        kind,
        organisation_id=organisation.id,
        address_public=True,  # one public, the others hidden
        rrule="FREQ=WEEKLY;COUNT=3" if kind == "activity" else None,
        **PERSONAL,
    )
    manager = make_user()
    db.session.add(ItemManager(item_id=item.id, user_id=manager.id))
    db.session.commit()
    who = {
        "anonymous": None,
        "resident": make_user(),
        "owner": item.owner,
        "co-manager": manager,
    }[viewer]
    with app.test_request_context("/"):
        mapped = item_view(db.session.get(Item, item.id), who)
        listed = item_view(read_listed(item.id), who)
    assert listed == mapped
    # The comparison is not empty: the hidden values reach the editors only.
    names = {f.name for f in listed.fields}
    if viewer in ("owner", "co-manager"):
        assert names == set(PERSONAL)
    else:
        assert names == {"address"}
    assert (listed.organisation_title is not None) is organisation_published


def test_every_item_column_is_read_into_a_listed_item(app, make_item):
    """A column added to Item later reaches lists too (the gate may need it)."""
    item = make_item("activity", **PERSONAL)
    listed = read_listed(item.id)
    for declared in personal_fields(Item):
        assert hasattr(listed, declared.name)
    mapped = db.session.get(Item, item.id)
    for column in Item.__table__.columns:
        key = Item.__mapper__.get_property_by_column(column).key
        assert getattr(listed, key) == getattr(mapped, key), key


def test_the_neighbourhood_page_maps_no_item_and_no_date(
    app, client, make_item, make_neighbourhood
):
    """Its agenda and its board are read as rows: hydrating them through the ORM was most
    of their cost. The items are still on the page."""
    place = make_neighbourhood()
    organisation = make_item("organisation", neighbourhood=place, title="Buurtvereniging Linde")
    make_item("activity", neighbourhood=place, title="Buurtsoep", organisation_id=organisation.id)
    make_item("offer", neighbourhood=place, title="Ladder te leen")
    url = f"/wijk/{place.slug}"
    db.session.expunge_all()
    with mapped_loads() as mapped:
        html = client.get(url).get_data(as_text=True)
    assert mapped == []
    for title in ("Buurtsoep", "Buurtvereniging Linde", "Ladder te leen"):
        assert title in html


def test_the_agenda_and_the_board_carry_their_places_and_organisations(
    app, make_item, make_neighbourhood
):
    place = make_neighbourhood()
    organisation = make_item("organisation", neighbourhood=place)
    activity = make_item(
        "activity", neighbourhood=place, organisation_id=organisation.id, rrule="FREQ=DAILY;COUNT=3"
    )
    page = upcoming_activities(place, after=None, limit=2)
    assert [date.activity_id for date in page.dates] == [activity.id, activity.id]
    assert page.dates[0].starts_at < page.dates[1].starts_at
    assert page.dates[1].starts_at - page.dates[0].starts_at == timedelta(days=1)
    assert page.next_cursor is not None
    listed = page.items[0]
    assert (listed.neighbourhood.slug, listed.neighbourhood.name) == (place.slug, place.name)
    assert listed.organisation is not None and listed.organisation.title == organisation.title
    assert [item.id for item in board(place).organisations] == [organisation.id]


def test_a_search_maps_no_item_and_shows_categories_and_next_dates(app, client, make_item):
    """Search reads its page as rows too, with each activity's categories and next date
    in the same statement (one statement fewer than reading the categories after)."""
    activity = make_item("activity", title="Zwemmen in het buurtbad", rrule="FREQ=WEEKLY;COUNT=4")
    db.session.add(ItemCategory(item_id=activity.id, category="sport"))
    make_item("offer", title="Zwembril te leen")
    db.session.commit()
    first = min(o.starts_at for o in activity.occurrences)
    db.session.expunge_all()
    with mapped_loads() as mapped:
        with app.test_request_context("/"):
            found = search("zwem")
        html = client.get("/zoeken?q=zwem").get_data(as_text=True)
    assert mapped == []
    assert {item.title for item in found.items} == {"Zwemmen in het buurtbad", "Zwembril te leen"}
    assert found.categories[activity.id] == ("sport",)
    assert found.next_dates[activity.id].starts_at == first
    assert "Zwembril te leen" in html and "Zwemmen in het buurtbad" in html
    assert f'datetime="{first:%Y-%m-%dT%H:%M}' in html
