"""The place of each date: `activity_occurrence.neighbourhood_id` and `municipality_id`,
copies of its activity's neighbourhood and that neighbourhood's municipality, so an agenda
filters and seeks on the dates alone (wijk/series/occurrences.py).

Mapper events keep the copies right whatever saves through the ORM: a date written gets
its activity's place, an activity moved to another neighbourhood takes its dates along,
a neighbourhood moved to another municipality its activities' dates. Core inserts of
dates (`fill_missing_dates`, the benchmark generator's) write the place themselves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, event, inspect, select, update
from sqlalchemy.orm import Mapper, Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from wijk.models import Activity, ActivityOccurrence, Item, Neighbourhood

_CACHE = "wijk.series.places"  # in Session.info for one flush: activity id -> place


def place_of(activity_id: int) -> Select[int, int]:
    """(neighbourhood id, municipality id) of an activity, as SQL."""
    return (
        select(Item.neighbourhood_id, Neighbourhood.municipality_id)
        .join(Neighbourhood, Neighbourhood.id == Item.neighbourhood_id)
        .where(Item.id == activity_id)
    )


# A flush writes an activity (and its neighbourhood) before the activity's dates, their
# parent before its children; so when a date is inserted, its activity's row already says
# where it is after this flush, and a move has already updated the dates it had.


@event.listens_for(ActivityOccurrence, "before_insert")
def _place_new_date(_mapper: Mapper, connection: Connection, row: ActivityOccurrence) -> None:
    session = object_session(row)
    cache: dict[int, tuple[int, int]] = session.info.setdefault(_CACHE, {}) if session else {}
    if row.activity_id not in cache:
        neighbourhood_id, municipality_id = connection.execute(place_of(row.activity_id)).one()
        cache[row.activity_id] = (neighbourhood_id, municipality_id)
    row.neighbourhood_id, row.municipality_id = cache[row.activity_id]


@event.listens_for(Session, "before_flush")
@event.listens_for(Session, "after_flush")
def _forget_places(session: Session, _context: object, *_instances: object) -> None:
    """Each flush reads the places afresh (one that failed may have read a move that was
    then rolled back)."""
    session.info.pop(_CACHE, None)


@event.listens_for(Activity, "after_update")
def _activity_moved(_mapper: Mapper, connection: Connection, activity: Activity) -> None:
    if not _moved(activity, "neighbourhood"):
        return
    neighbourhood_id, municipality_id = connection.execute(place_of(activity.id)).one()
    values = {"neighbourhood_id": neighbourhood_id, "municipality_id": municipality_id}
    connection.execute(
        update(ActivityOccurrence)
        .where(ActivityOccurrence.activity_id == activity.id)
        .values(values)
    )
    _set_loaded(activity, "activity_id", activity.id, values)


@event.listens_for(Neighbourhood, "after_update")
def _neighbourhood_moved(_mapper: Mapper, connection: Connection, place: Neighbourhood) -> None:
    if not _moved(place, "municipality"):
        return
    values = {"municipality_id": place.municipality_id}
    connection.execute(
        update(ActivityOccurrence)
        .where(ActivityOccurrence.neighbourhood_id == place.id)
        .values(values)
    )
    _set_loaded(place, "neighbourhood_id", place.id, values)


def _moved(target: object, relation: str) -> bool:
    """Whether the flush changes the target's `relation` (set as object or as id)."""
    attrs = inspect(target).attrs
    return attrs[relation].history.has_changes() or attrs[f"{relation}_id"].history.has_changes()


def _set_loaded(target: object, key: str, value: int, values: dict[str, Any]) -> None:
    """Give the dates loaded in the session the place the SQL just wrote."""
    session = object_session(target)
    for obj in list(session.identity_map.values()) if session else []:
        if isinstance(obj, ActivityOccurrence) and inspect(obj).dict.get(key) == value:
            for name, new in values.items():
                set_committed_value(obj, name, new)
