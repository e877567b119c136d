"""schema.org Event data for an activity page (JSON-LD), so search engines and calendars
that read it find the next date. Built from the gate's view for an anonymous visitor,
whoever looks at the page: the address and the contact person appear only when their
owner made them public, the contact e-mail never."""

from __future__ import annotations

import html
from typing import Any

from flask import url_for

from wijk.clock import local_now, local_zone
from wijk.discover import bp
from wijk.extensions import db
from wijk.models import Activity, Item, ItemStatus, OccurrenceStatus
from wijk.pictures.services import WIDTHS
from wijk.sanitize import plain_text
from wijk.series.occurrences import SHOWN_ON_PAGE, next_dates, page_dates
from wijk.visibility import ItemView, item_view

STATUS: dict[str, str] = {
    OccurrenceStatus.SCHEDULED: "https://schema.org/EventScheduled",
    OccurrenceStatus.MOVED: "https://schema.org/EventRescheduled",
    OccurrenceStatus.CANCELLED: "https://schema.org/EventCancelled",
}


def _public(view: ItemView, name: str) -> str | None:
    found = view.field(name)
    return found.value if found is not None and found.public and not found.never_public else None


def _time(value) -> str | None:
    return value.replace(tzinfo=local_zone()).isoformat() if value is not None else None


@bp.app_template_global()
def event_data(item_id: int) -> dict[str, Any] | None:
    """The Event of a published activity, or None for anything else."""
    item = db.session.get(Item, item_id)
    if not isinstance(item, Activity) or item.status != ItemStatus.PUBLISHED:
        return None
    # The anonymous visitor's view, not the owner's; the Event carries no categories, so
    # they are not read again (the page already did).
    view = item_view(item, None, categories=())
    # The next date that takes place; else the next one at all (a cancelled one says so).
    shown = page_dates(item)  # the dates the page lists, read once for both
    upcoming = next((row for row in shown if not row.is_cancelled), None)
    if upcoming is None and len(shown) == SHOWN_ON_PAGE:  # all of those are cancelled
        upcoming = next_dates([item.id], local_now()).get(item.id)
    upcoming = upcoming or next(iter(shown), None)
    starts, ends = (
        (upcoming.starts_at, upcoming.ends_at) if upcoming else (view.starts_at, view.ends_at)
    )
    status = STATUS[upcoming.status if upcoming else OccurrenceStatus.SCHEDULED]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": view.title,
        "description": html.unescape(plain_text(str(view.description)))[:500],
        "url": url_for("content.show", kind_slug="activiteit", item_id=view.id, _external=True),
        "startDate": _time(starts),
        "eventStatus": status,
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
    }
    if ends is not None:
        data["endDate"] = _time(ends)
    address = _public(view, "address")
    if view.location_name or address:
        place: dict[str, Any] = {"@type": "Place", "name": view.location_name or address}
        if address:
            place["address"] = address
        data["location"] = place
    if view.organisation_title:
        data["organizer"] = {
            "@type": "Organization",
            "name": view.organisation_title,
            "url": url_for(
                "content.show",
                kind_slug="organisatie",
                item_id=view.organisation_id,
                _external=True,
            ),
        }
    elif contact := _public(view, "contact_name"):
        data["organizer"] = {"@type": "Person", "name": contact}
    if view.picture_key:
        data["image"] = url_for(
            "pictures.show",
            item_id=view.id,
            key=view.picture_key,
            width=max(WIDTHS),
            _external=True,
        )
    return data
