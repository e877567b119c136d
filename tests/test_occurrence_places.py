"""Each date carries its activity's place (issue 16), so the agendas of a neighbourhood
and a city seek on the dates alone: the copy follows every way a date is written and
every move, and the agenda reads the place's own indexes."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, insert, select, text

from wijk.clock import local_now
from wijk.extensions import db
from wijk.models import ActivityOccurrence, Item, ItemKind, ItemStatus, Neighbourhood
from wijk.neighbourhoods.services import upcoming_activities, upcoming_in_city
from wijk.series.occurrences import fill_missing_dates

WEEKLY = "FREQ=WEEKLY;COUNT=5"


def stored_places(activity_id: int) -> set[tuple[int, int]]:
    """The place on each of the activity's rows, as the database holds it."""
    rows = db.session.execute(
        select(ActivityOccurrence.neighbourhood_id, ActivityOccurrence.municipality_id).where(
            ActivityOccurrence.activity_id == activity_id
        )
    )
    return {tuple(row) for row in rows}


def place_of(neighbourhood: Neighbourhood) -> set[tuple[int, int]]:
    return {(neighbourhood.id, neighbourhood.municipality_id)}


def agenda_ids(place: Neighbourhood, **kwargs) -> list[int]:
    return [
        row.activity_id for row in upcoming_activities(place, after=None, limit=50, **kwargs).dates
    ]


def test_dates_of_a_series_carry_its_neighbourhood_and_city(app, make_item, make_neighbourhood):
    place = make_neighbourhood()
    activity = make_item(neighbourhood=place, rrule=WEEKLY)
    assert len(activity.occurrences) == 5
    assert stored_places(activity.id) == place_of(place)
    # Dates the rule adds later get it too.
    activity.rrule = "FREQ=WEEKLY;COUNT=8"
    db.session.commit()
    assert len(activity.occurrences) == 8
    assert stored_places(activity.id) == place_of(place)


@pytest.mark.parametrize("how", ["id", "object"])
def test_dates_follow_their_activity_to_another_neighbourhood(
    app, make_item, make_neighbourhood, how
):
    old, new = make_neighbourhood(), make_neighbourhood()
    new.city = "Amersfoort"
    db.session.commit()
    activity = make_item(neighbourhood=old, rrule=WEEKLY)
    loaded = list(activity.occurrences)
    if how == "id":
        activity.neighbourhood_id = new.id
    else:
        activity.neighbourhood = new
    db.session.commit()
    assert stored_places(activity.id) == place_of(new)
    assert {(row.neighbourhood_id, row.municipality_id) for row in loaded} == place_of(new)
    assert agenda_ids(old) == []
    assert set(agenda_ids(new)) == {activity.id}
    assert upcoming_in_city(old.municipality, after=None, limit=50).dates == []


def test_moved_activity_with_a_new_rule_has_every_date_in_its_new_place(
    app, make_item, make_neighbourhood
):
    old, new = make_neighbourhood(), make_neighbourhood()
    activity = make_item(neighbourhood=old, rrule=WEEKLY)
    activity.neighbourhood_id = new.id
    activity.rrule = "FREQ=WEEKLY;COUNT=9"  # new rows, written in the same flush as the move
    db.session.commit()
    assert len(activity.occurrences) == 9
    assert stored_places(activity.id) == place_of(new)


def test_dates_follow_their_neighbourhood_to_another_city(app, make_item, make_neighbourhood):
    place = make_neighbourhood()
    utrecht = place.municipality
    activity = make_item(neighbourhood=place, rrule=WEEKLY)
    place.city = "Nieuwegein"  # a municipality that is new in this flush
    db.session.commit()
    assert place.municipality_id != utrecht.id
    assert stored_places(activity.id) == place_of(place)
    assert len(upcoming_in_city(place.municipality, after=None, limit=50).dates) == 5
    assert upcoming_in_city(utrecht, after=None, limit=50).dates == []


def test_dates_written_without_the_orm_carry_the_place(app, make_user, make_neighbourhood):
    """The benchmark generator inserts activities with Core, then fills their dates."""
    place, owner = make_neighbourhood(), make_user()
    start = local_now().replace(second=0, microsecond=0) + timedelta(days=1)
    activity_id = db.session.execute(
        insert(Item).returning(Item.id),
        [
            {
                "kind": ItemKind.ACTIVITY,
                "neighbourhood_id": place.id,
                "owner_id": owner.id,
                "status": ItemStatus.PUBLISHED,
                "title": "Buurtsoep",
                "starts_at": start,
                "rrule": WEEKLY,
            }
        ],
    ).scalar_one()
    assert fill_missing_dates() == 5
    db.session.commit()
    assert stored_places(activity_id) == place_of(place)
    assert agenda_ids(place) == [activity_id] * 5


def test_a_long_date_going_on_stays_first_on_the_agenda_and_once(
    app, make_item, make_neighbourhood
):
    place = make_neighbourhood()
    now = local_now().replace(second=0, microsecond=0)
    # An exhibition that opened three days ago and closes in two: going on, listed first.
    exhibition = make_item(
        neighbourhood=place, starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=2)
    )
    # One that closed an hour ago, and a meeting that began an hour ago and still runs.
    make_item(
        neighbourhood=place, starts_at=now - timedelta(days=3), ends_at=now - timedelta(hours=1)
    )
    meeting = make_item(
        neighbourhood=place, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    # A long date still to come, found by both parts of the query but listed once.
    fair = make_item(
        neighbourhood=place, starts_at=now + timedelta(hours=2), ends_at=now + timedelta(days=3)
    )
    later = make_item(neighbourhood=place, starts_at=now + timedelta(days=1), rrule=WEEKLY)
    expected = [exhibition.id, meeting.id, fair.id] + [later.id] * 5
    assert agenda_ids(place) == expected
    assert [
        row.activity_id for row in upcoming_in_city(place.municipality, after=None, limit=50).dates
    ] == expected
    # Page by page, through the cursor, the same dates in the same order.
    seen, after = [], None
    while True:
        page = upcoming_activities(place, after=after, limit=2)
        seen += [row.activity_id for row in page.dates]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert seen == expected


def test_agenda_without_a_filter_reads_the_places_indexes(app, make_item, make_neighbourhood):
    """The agenda seeks on the dates' own place (a plan, not a timing: the benchmark
    shows the speed): the neighbourhood's and the city's agenda indexes and the small
    indexes of their long dates, never a scan of the dates."""
    place = make_neighbourhood()
    make_item(neighbourhood=place, rrule=WEEKLY)
    plans = {
        "neighbourhood": _plan(lambda: upcoming_activities(place, after=None, limit=20)),
        "municipality": _plan(lambda: upcoming_in_city(place.municipality, after=None, limit=20)),
    }
    for name, plan in plans.items():
        assert re.search(rf"\bix_activity_occurrence_{name}\b", plan), plan
        # Either place's index of long dates: both are partial indexes of the same few
        # rows, and with none in them PostgreSQL's planner took the neighbourhood's for
        # the city once (CI); with long dates the city's own leads on its column.
        long_dates = r"\bix_activity_occurrence_(neighbourhood|municipality)_long\b"
        assert re.search(long_dates, plan), plan
        assert not re.search(r"(Seq Scan on|SCAN) activity_occurrence\b", plan), plan


def _plan(agenda) -> str:
    """The plan of the statement that picks the agenda's dates (its last), as text. On
    PostgreSQL sequential scans are switched off: its planner prefers them on a table
    this small, and what is checked is that the indexes fit the query."""
    statements: list[tuple[str, object]] = []

    def grab(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        agenda()
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    statement, parameters = statements[-1]
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(str(row[-1]) for row in rows)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
    return "\n".join(str(row[0]) for row in rows)


@contextmanager
def database_at(tmp_path, revision: str, activities: int = 1):
    """A SQLite database migrated up to `revision`, with a municipality, a neighbourhood
    and `activities` published activities (ids 1 and up), in an app context."""
    from conftest import base_config

    from wijk import create_app

    app = create_app(base_config(f"sqlite:///{tmp_path / 'old.sqlite'}", str(tmp_path)))
    tables = db.metadata.tables
    with app.app_context():
        upgrade(revision=revision)
        run = db.session.execute
        run(insert(tables["municipality"]), [{"id": 1, "name": "Utrecht", "slug": "utrecht"}])
        row = {"id": 1, "name": "Lombok", "slug": "lombok", "municipality_id": 1}
        run(insert(tables["neighbourhood"]), [row])
        items = [
            {"id": n, "kind": "activity", "neighbourhood_id": 1, "title": f"Soep {n}"}
            for n in range(1, activities + 1)
        ]
        run(insert(tables["item"]), [item | {"status": "published"} for item in items])
        try:
            yield tables
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.sqlite
def test_migration_fills_the_places_and_keeps_the_sign_ups_of_dates(tmp_path):
    """SQLite rebuilds the table to make the new columns NOT NULL: with foreign keys on,
    dropping the old table would delete the sign-ups for its dates by cascade."""
    with database_at(tmp_path, "0016") as tables:
        run = db.session.execute
        start = local_now().replace(second=0, microsecond=0)
        date = {"id": 1, "activity_id": 1, "starts_at": start, "original_starts_at": start}
        run(insert(tables["activity_occurrence"]), [date | {"status": "scheduled"}])
        signup = {"activity_id": 1, "occurrence_id": 1, "name": "Sem", "email": "s@example.org"}
        run(insert(tables["signup"]), [signup])
        db.session.commit()
        upgrade(revision="0019")
        assert run(select(tables["signup"].c.occurrence_id)).scalars().all() == [1]
        assert stored_places(1) == {(1, 1)}
        assert run(text("PRAGMA foreign_keys")).scalar() == 1  # switched back on


@pytest.mark.sqlite
def test_migration_0020_leaves_the_planner_statistics_current(tmp_path):
    """A database with planner statistics (ANALYZE has run) gets them for the new item
    index too: without, SQLite took it for a selective one and read the agenda through
    every activity."""
    with database_at(tmp_path, "0019", activities=29):
        run = db.session.execute
        db.session.commit()
        run(text("ANALYZE"))
        db.session.commit()
        upgrade(revision="0020")
        analysed = run(text("SELECT idx FROM sqlite_stat1 WHERE tbl = 'item'")).scalars().all()
        assert "ix_item_kind" in analysed


def test_each_agenda_shape_is_built_once_and_every_place_gets_its_own_dates(
    app, make_item, make_neighbourhood, monkeypatch
):
    from wijk.content.categories import set_categories
    from wijk.series import occurrences

    monkeypatch.setattr(occurrences, "_STATEMENTS", {})
    built = []
    original = occurrences._agenda_statement

    def counted(*shape):
        built.append(shape)
        return original(*shape)

    monkeypatch.setattr(occurrences, "_agenda_statement", counted)
    first, second = make_neighbourhood(), make_neighbourhood()
    ours = make_item(neighbourhood=first, rrule=WEEKLY)
    sport = make_item(neighbourhood=first)
    set_categories(sport, ["sport"])
    theirs = make_item(neighbourhood=second, rrule=WEEKLY)
    db.session.commit()
    for _ in range(2):
        assert set(agenda_ids(first)) == {ours.id, sport.id}
        assert agenda_ids(second) == [theirs.id] * 5
        assert agenda_ids(first, category="sport") == [sport.id]
        assert agenda_ids(second, category="sport") == []
        page = upcoming_activities(second, after=None, limit=2)
        rest = upcoming_activities(second, after=page.next_cursor, limit=2)
        assert [row.activity_id for row in page.dates + rest.dates] == [theirs.id] * 4
        assert rest.dates[0].starts_at > page.dates[-1].starts_at
    # Without a filter and with one, at 50 and at 2 a page, with a cursor and without.
    assert len(built) == len(set(built)) == 4
