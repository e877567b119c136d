"""Counting page views without tracking.

A view of a public page adds one to a counter per thing it shows (the item, its
neighbourhood, its municipality) for the local day. What the request was (path, cookie,
address, browser, account) is looked at only to decide whether it counts and is never
kept: the only state is `(day, scope, id) -> n`, in this process until it is flushed,
then in `page_view_count`.

Counted: GET answered 200 by one of the public pages below, also when the page cache
served it (its before_request answer goes through after_request too). Not counted: other
methods and statuses, and user agents that say they are robots (BOTS). A process adds up
its views and writes them with one upsert every STATS_FLUSH_SECONDS (0: in the request
itself); what is pending is written when the process exits and before a statistics page
reads the table."""

from __future__ import annotations

import atexit
import logging
import re
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask, Response, current_app, request
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.util import identity_key

from wijk.clock import local_now
from wijk.extensions import db
from wijk.models import Item, ItemStatus, Municipality, Neighbourhood, PageViewCount

log = logging.getLogger(__name__)

ITEM, NEIGHBOURHOOD, MUNICIPALITY = "item", "neighbourhood", "municipality"
SCOPES = (MUNICIPALITY, NEIGHBOURHOOD, ITEM)
# A simple rule: what calls itself a robot, a crawler or a fetching tool is not a visitor.
BOTS = re.compile(
    r"bot|crawl|spider|slurp|archiver|fetch|preview|monitor|scan|curl|wget|httpie|"
    r"python-|java/|go-http|okhttp|libwww|headless|lighthouse",
    re.IGNORECASE,
)
# The city page (issue 14, /gemeente/<slug>) counts for its municipality, whichever
# blueprint serves it; its feeds and sub-pages are not page views.
CITY_PAGE = re.compile(r"^/gemeente/([a-z0-9-]{1,100})/?$")
PLACE_TTL = 300.0  # seconds a thing's place (neighbourhood, municipality) is remembered
PLACE_ENTRIES = 4096

Thing = tuple[str, int]


class Tally:
    """The views of this process not yet written: (day, scope, id) -> n."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[date, str, int]] = Counter()
        self._lock = threading.Lock()
        self.since = time.monotonic()

    def add(self, day: date, things: list[Thing]) -> None:
        with self._lock:
            for scope, ref_id in things:
                self._counts[(day, scope, ref_id)] += 1

    def take(self) -> Counter[tuple[date, str, int]]:
        with self._lock:
            counts, self._counts = self._counts, Counter()
            self.since = time.monotonic()
            return counts

    def put_back(self, counts: Counter[tuple[date, str, int]]) -> None:
        with self._lock:
            self._counts.update(counts)

    def __len__(self) -> int:
        return len(self._counts)


class Places:
    """Which neighbourhood and municipality a thing belongs to, remembered for a few
    minutes so a cached page is counted without a query. It holds places, not visitors."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, Any], tuple[float, list[Thing]]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, Any], load: Callable[[], list[Thing]]) -> list[Thing]:
        now = time.monotonic()
        with self._lock:
            found = self._known.get(key)
        if found is not None and now - found[0] < PLACE_TTL:
            return found[1]
        things = load()
        with self._lock:
            if len(self._known) >= PLACE_ENTRIES:
                self._known.clear()
            self._known[key] = (now, things)
        return things

    def clear(self) -> None:
        with self._lock:
            self._known.clear()


def _loaded(model: type, ident: Any) -> dict[str, Any]:
    """The loaded column values of a row the view already has (no SQL), or {}."""
    found = db.session.identity_map.get(identity_key(model, ident))
    return found.__dict__ if found is not None else {}


def _place_of(neighbourhood_id: int) -> list[Thing] | None:
    municipality_id = _loaded(Neighbourhood, neighbourhood_id).get("municipality_id")
    if municipality_id is None:
        return None
    return [(NEIGHBOURHOOD, neighbourhood_id), (MUNICIPALITY, municipality_id)]


def _item_things(item_id: Any) -> list[Thing]:
    if not isinstance(item_id, int) or not 0 < item_id < 2**31:
        return []
    item = _loaded(Item, item_id)  # the page just showed it: usually no query at all
    if "status" in item and "neighbourhood_id" in item:
        if item["status"] != ItemStatus.PUBLISHED:
            return []
        place = _place_of(item["neighbourhood_id"])
        if place is not None:
            return [(ITEM, item_id), *place]
    row = db.session.execute(
        select(Item.neighbourhood_id, Neighbourhood.municipality_id)
        .join(Neighbourhood, Neighbourhood.id == Item.neighbourhood_id)
        .where(Item.id == item_id, Item.status == ItemStatus.PUBLISHED)
    ).first()
    if row is None:
        return []
    return [(ITEM, item_id), (NEIGHBOURHOOD, row[0]), (MUNICIPALITY, row[1])]


def _neighbourhood_things(slug: Any) -> list[Thing]:
    for obj in list(db.session):
        if isinstance(obj, Neighbourhood) and obj.__dict__.get("slug") == slug:
            place = _place_of(obj.__dict__.get("id", 0))
            if place is not None:
                return place
    row = db.session.execute(
        select(Neighbourhood.id, Neighbourhood.municipality_id).where(Neighbourhood.slug == slug)
    ).first()
    return [] if row is None else [(NEIGHBOURHOOD, row[0]), (MUNICIPALITY, row[1])]


def _municipality_things(slug: Any) -> list[Thing]:
    found = db.session.scalar(select(Municipality.id).where(Municipality.slug == slug))
    return [] if found is None else [(MUNICIPALITY, found)]


# endpoint -> (the view argument that names the thing, what it counts for)
COUNTED: dict[str, tuple[str, Callable[[Any], list[Thing]]]] = {
    "content.show": ("item_id", _item_things),
    "discover.news_page": ("item_id", _item_things),
    "neighbourhoods.neighbourhood": ("slug", _neighbourhood_things),
}


def things_viewed() -> list[Thing]:
    """What the current request shows, when it is a counted public page view."""
    if request.method != "GET":
        return []
    counted = COUNTED.get(request.endpoint or "")
    places: Places = current_app.extensions["wijk_view_places"]
    if counted is not None:
        argument, load = counted
        value = (request.view_args or {}).get(argument)
        return places.get((argument, value), lambda: load(value))
    city = CITY_PAGE.match(request.path)
    if city is not None:
        slug = city.group(1)
        return places.get(("city", slug), lambda: _municipality_things(slug))
    return []


def is_robot(user_agent: str) -> bool:
    return not user_agent or BOTS.search(user_agent) is not None


def _upsert(dialect: str):
    if dialect == "postgresql":
        pg_statement = postgresql.insert(PageViewCount)
        return pg_statement.on_conflict_do_update(
            index_elements=["day", "scope", "ref_id"],
            set_={"views": PageViewCount.views + pg_statement.excluded.views},
        )
    statement = sqlite.insert(PageViewCount)
    return statement.on_conflict_do_update(
        index_elements=["day", "scope", "ref_id"],
        set_={"views": PageViewCount.views + statement.excluded.views},
    )


def flush(app: Flask | None = None) -> int:
    """Write this process's pending views in one statement on its own connection (the
    request's session and transaction are left alone). Returns the rows written."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    tally: Tally = app.extensions["wijk_view_tally"]
    counts = tally.take()
    if not counts:
        return 0
    rows = [
        {"day": day, "scope": scope, "ref_id": ref_id, "views": n}
        for (day, scope, ref_id), n in counts.items()
    ]
    try:
        with db.engine.begin() as connection:
            connection.execute(_upsert(db.engine.dialect.name), rows)
    except SQLAlchemyError:
        log.warning("page views could not be written; kept for the next flush", exc_info=True)
        tally.put_back(counts)
        return 0
    return len(rows)


def _flush_at_exit(reference: weakref.ref[Flask]) -> None:
    app = reference()
    if app is None or not len(app.extensions["wijk_view_tally"]):
        return
    with app.app_context():
        flush(app)


def register(app: Flask) -> None:
    app.extensions["wijk_view_tally"] = Tally()
    app.extensions["wijk_view_places"] = Places()
    atexit.register(_flush_at_exit, weakref.ref(app))

    @app.after_request
    def count_view(response: Response) -> Response:
        if response.status_code != 200 or is_robot(request.headers.get("User-Agent", "")):
            return response
        things = things_viewed()
        if not things:
            return response
        tally: Tally = app.extensions["wijk_view_tally"]
        tally.add(local_now().date(), things)
        if time.monotonic() - tally.since >= float(app.config["STATS_FLUSH_SECONDS"]):
            flush(app)
        return response


def privacy_facts() -> dict[str, Any]:
    """What /privacy says about counting, read from the table and the settings, so the
    statement cannot promise less than is stored."""
    table = PageViewCount.__table__
    return {
        "columns": [column.name for column in table.columns],
        "minimum": max(1, int(current_app.config["STATS_MIN_COUNT"])),
        "flush_seconds": int(current_app.config["STATS_FLUSH_SECONDS"]),
    }
