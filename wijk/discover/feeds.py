"""iCal, Atom and the sitemap. Each is built from ItemViews made for an anonymous
viewer, so a feed holds exactly what the public page shows: the location name, the
address and contact name or phone only when their owner made them public, and never a
contact e-mail address."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405  (we only write XML, never parse it)
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask import current_app, request
from markupsafe import escape
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import joinedload

from wijk.clock import local_now
from wijk.content.categories import label
from wijk.discover.listing import PUBLISHED, at_next_date, current, not_ended
from wijk.extensions import db
from wijk.filters import local_datetime, local_time
from wijk.models import (
    ActivityOccurrence,
    Item,
    ItemKind,
    Municipality,
    Neighbourhood,
    OccurrenceStatus,
)
from wijk.models.base import utcnow
from wijk.sanitize import plain_text
from wijk.series.rules import expand
from wijk.visibility import ItemView, PersonalField, item_views

if TYPE_CHECKING:
    import icalendar

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_SIZE = 50
CALENDAR_SIZE = 500
SITEMAP_SIZE = 50_000  # the most one sitemap file may hold
# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- iCal ---------------------------------------------------------------------------


def _where(place: Neighbourhood | Municipality) -> ColumnElement[bool]:
    """Items of a neighbourhood, or of every neighbourhood of a city."""
    if isinstance(place, Municipality):
        city = select(Neighbourhood.id).where(Neighbourhood.municipality_id == place.id)
        return Item.neighbourhood_id.in_(city)
    return Item.neighbourhood_id == place.id


def upcoming_for_calendar(place: Neighbourhood | Municipality) -> list[ItemView]:
    """Activities still on, a series once (its RRULE holds every date); of one
    neighbourhood or of a whole city."""
    now = local_now()
    items = db.session.scalars(
        select(Item)
        .options(joinedload(Item.organisation))
        .where(
            PUBLISHED,
            Item.kind == ItemKind.ACTIVITY,
            _where(place),
            not_ended(now),
        )
        .order_by(Item.starts_at, Item.id)
        .limit(CALENDAR_SIZE)
    )
    return item_views(items)


def changed_dates(views: Iterable[ItemView]) -> dict[int, list[ActivityOccurrence]]:
    """The cancelled and moved dates of the series among `views`, in one query."""
    ids = [view.id for view in views if view.rrule]
    found: dict[int, list[ActivityOccurrence]] = {}
    if ids:
        for row in db.session.scalars(
            select(ActivityOccurrence)
            .where(
                ActivityOccurrence.activity_id.in_(ids),
                ActivityOccurrence.status != OccurrenceStatus.SCHEDULED,
            )
            .order_by(ActivityOccurrence.original_starts_at)
        ):
            found.setdefault(row.activity_id, []).append(row)
    return found


def calendar(
    views: Iterable[ItemView],
    *,
    name: str,
    link: Callable[[ItemView], str],
    changed: Mapping[int, list[ActivityOccurrence]] | None = None,
) -> bytes:
    """An iCalendar (RFC 5545) of activities. Times are local wall-clock times, so they
    carry TZID=Europe/Amsterdam and a VTIMEZONE valid from the first to the last date of
    every series. A series is one VEVENT with its RRULE, an EXDATE per cancelled date and
    a RECURRENCE-ID event per moved one (`changed`, see changed_dates)."""
    import icalendar  # noqa: PLC0415 (3 MB, for the calendar requests only)

    changed = changed or {}
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Wijk//Wijk//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", zone.key)
    days = []
    for view in views:
        if view.kind != ItemKind.ACTIVITY or view.starts_at is None:
            continue
        url = link(view)
        event = _event(view, zone, url)
        cal.add_component(event)
        days += [view.starts_at.date(), (view.ends_at or view.starts_at).date()]
        if view.rrule:
            days += _add_rule(event, view, zone, changed.get(view.id, []))
            for row in changed.get(view.id, []):
                if row.status == OccurrenceStatus.MOVED:
                    cal.add_component(_moved(view, row, zone, url))
                    days.append((row.ends_at or row.starts_at).date())
    if days:
        cal.add_missing_timezones(
            first_date=min(days) - timedelta(days=1), last_date=max(days) + timedelta(days=1)
        )
    return cal.to_ical()


def _event(view: ItemView, zone: ZoneInfo, url: str) -> icalendar.Event:
    if view.starts_at is None:  # calendar() passes dated activities only
        raise ValueError(f"activity {view.id} has no start time")
    import icalendar  # noqa: PLC0415 (loaded by calendar())

    event = icalendar.Event()
    event.add("uid", f"activiteit-{view.id}@{_host()}")
    event.add("dtstamp", view.updated_at or view.created_at)  # stamps are aware UTC
    event.add("last-modified", view.updated_at or view.created_at)
    event.add("dtstart", view.starts_at.replace(tzinfo=zone))
    if view.ends_at:
        event.add("dtend", view.ends_at.replace(tzinfo=zone))
    event.add("summary", view.title)
    place = [view.location_name] if view.location_name else []
    address = _public(view).get("address")
    if address:  # present only when its owner made it public
        place.append(address.value)
    if place:
        event.add("location", ", ".join(place))
    event.add(
        "description",
        "\n\n".join(filter(None, [plain_text(str(view.description)), _contact_lines(view), url])),
    )
    event.add("url", url)
    if view.categories:
        event.add("categories", [label(code) for code in view.categories])
    return event


def _add_rule(
    event: icalendar.Event, view: ItemView, zone: ZoneInfo, changed: list[ActivityOccurrence]
) -> list[date]:
    """RRULE and EXDATE on a series' event; returns its last day, for the VTIMEZONE.
    UNTIL is stored as local wall-clock time; with a TZID start RFC 5545 wants it in UTC."""
    if not view.rrule or view.starts_at is None:
        raise ValueError(f"item {view.id} is not a series")
    import icalendar  # noqa: PLC0415 (loaded by calendar())

    rule = icalendar.vRecur.from_ical(view.rrule)
    if "UNTIL" in rule:
        rule["UNTIL"] = [until.replace(tzinfo=zone).astimezone(UTC) for until in rule["UNTIL"]]
    event.add("rrule", rule)
    cancelled = [
        row.original_starts_at.replace(tzinfo=zone)
        for row in changed
        if row.status == OccurrenceStatus.CANCELLED
    ]
    if cancelled:
        event.add("exdate", cancelled)
    last = expand(view.rrule, view.starts_at)[-1]
    length = view.ends_at - view.starts_at if view.ends_at else None
    return [(last + length if length else last).date()]


def _moved(view: ItemView, row: ActivityOccurrence, zone: ZoneInfo, url: str) -> icalendar.Event:
    """The event of one moved date: the series' event with its own times."""
    moved = _event(replace(view, starts_at=row.starts_at, ends_at=row.ends_at), zone, url)
    moved.add("recurrence-id", row.original_starts_at.replace(tzinfo=zone))
    return moved


def _public(view: ItemView) -> dict[str, PersonalField]:
    """The personal fields the gate made public; a feed is public even when the view was
    built for someone who edits the item."""
    return {f.name: f for f in view.fields if f.public and not f.never_public}


def _contact_lines(view: ItemView) -> str:
    """Every public personal field but the address, which is part of the location."""
    return "\n".join(f"{f.label}: {f.value}" for f in _public(view).values() if f.name != "address")


def _host() -> str:
    return current_app.config.get("SERVER_NAME") or request.host.split(":")[0]


# --- Atom ---------------------------------------------------------------------------


def newest_for_feed(place: Neighbourhood | Municipality) -> list[ItemView]:
    """The newest activities, offers/requests and news of a neighbourhood or a city."""
    items = db.session.scalars(
        select(Item)
        .options(joinedload(Item.organisation))
        .where(
            PUBLISHED,
            _where(place),
            Item.kind.in_((ItemKind.ACTIVITY, ItemKind.OFFER, ItemKind.NEWS)),
            current(local_now()),
        )
        .order_by(Item.created_at.desc(), Item.id.desc())
        .limit(FEED_SIZE)
    )
    return at_next_date(item_views(items), local_now())


def atom(
    views: list[ItemView],
    *,
    title: str,
    self_url: str,
    page_url: str,
    link: Callable[[ItemView], str],
    kind_label: Callable[[ItemView], str],
) -> bytes:
    """An Atom (RFC 4287) feed; ElementTree escapes every text and attribute."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", self_url)
    _text(feed, "title", title)
    updated = max((v.updated_at or v.created_at for v in views), default=utcnow())
    _text(feed, "updated", _rfc3339(updated))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url, type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=page_url, type="text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", current_app.config["SITE_NAME"])
    for view in views:
        url = link(view)
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", url)
        _text(entry, "title", view.title)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=url, type="text/html")
        _text(entry, "published", _rfc3339(view.created_at))
        _text(entry, "updated", _rfc3339(view.updated_at or view.created_at))
        ET.SubElement(entry, f"{{{ATOM}}}category", term=view.kind, label=kind_label(view))
        for code in view.categories:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=code, label=label(code))
        _text(entry, "content", _entry_html(view), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry_html(view: ItemView) -> str:
    """The entry as HTML: the sanitised description plus the public facts, escaped."""
    facts = []
    if view.starts_at:
        facts.append(when(view.starts_at, view.ends_at))
    if view.location_name:
        facts.append(view.location_name)
    facts += [f"{f.label}: {f.value}" for f in _public(view).values()]
    head = "".join(f"<p>{escape(fact)}</p>" for fact in facts)
    return head + str(view.description)


def _text(parent: ET.Element, tag: str, value: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = _NOT_XML.sub("", value)
    return element


def when(starts_at: datetime, ends_at: datetime | None) -> str:
    """An activity's time as a person reads it, in the feed's language: "zaterdag
    19 december 2026, 14:00–16:00" (wall-clock time in Amsterdam, like the page)."""
    text = local_datetime(starts_at)
    if ends_at is None:
        return text
    if ends_at.date() == starts_at.date():
        return f"{text}–{local_time(ends_at)}"
    return f"{text} – {local_datetime(ends_at)}"


def _rfc3339(stamp: datetime) -> str:
    """RFC 3339 in UTC ("2026-12-19T13:00:00Z"), as Atom requires; a naive value is a UTC
    stamp that lost its zone, never the machine's local time."""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- sitemap ------------------------------------------------------------------------


def sitemap_rows(now: datetime) -> list[tuple[int, str, datetime]]:
    """(id, kind, updated_at) of every published, current item; no personal data is
    read, so these rows need no gate."""
    return list(
        db.session.execute(
            select(Item.id, Item.kind, Item.updated_at)
            .where(PUBLISHED, current(now))
            .order_by(Item.updated_at.desc(), Item.id.desc())
            .limit(SITEMAP_SIZE)
        )
    )


def sitemap(urls: Iterable[tuple[str, date | None]]) -> bytes:
    ET.register_namespace("", SITEMAP)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    for location, modified in urls:
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = location
        if modified:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = modified.isoformat()
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
