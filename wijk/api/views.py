"""The endpoints of /api/v1/. Each is declared once with `operation(...)`: its URL, its
parameters and its response shape; the same declaration parses the request, shapes the
answer and writes its part of /api/v1/openapi.json. Every object comes from the gate,
built for an anonymous viewer, whoever asks."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from wijk.api import bp, queries
from wijk.api.resources import (
    ACTIVITY,
    MUNICIPALITY,
    NEIGHBOURHOOD,
    NEWS,
    OFFER,
    ORGANISATION,
    Record,
)
from wijk.api.responses import PREFIX, cors, error_response, is_api_request, json_response, problem
from wijk.api.schema import (
    ROW_ID_MAX,
    BadParameter,
    Operation,
    Param,
    Shape,
    calendar_day,
    choice,
    cursor_param,
    encode_cursor,
    integer,
    is_slug,
    list_of,
    openapi,
    slug,
)
from wijk.clock import local_now
from wijk.errors import ERROR_RESPONDERS
from wijk.extensions import limiter
from wijk.models import CATEGORIES, Item, ItemKind, Municipality, Neighbourhood
from wijk.visibility import item_views

OPERATIONS: list[Operation] = []
PAGE_DEFAULT, PAGE_MAX = 20, 100

LIMIT = integer(
    "limit", "How many objects a page holds.", minimum=1, maximum=PAGE_MAX, default=PAGE_DEFAULT
)
IN_NEIGHBOURHOOD = slug("neighbourhood", "Only in this neighbourhood (its slug).")
IN_MUNICIPALITY = slug("municipality", "Only in this municipality (its slug).")
SLUG_PATH = Param(
    "slug",
    "The slug.",
    {"type": "string", "pattern": IN_NEIGHBOURHOOD.schema["pattern"], "maxLength": 100},
    str,
    location="path",
)
ID_PATH = Param(
    "item_id",
    "The id.",
    {"type": "integer", "format": "int32", "minimum": 1, "maximum": ROW_ID_MAX},
    int,
    location="path",
)


def _limit_value() -> str:
    return current_app.config["API_RATE_LIMIT"]


def operation(
    path: str, summary: str, tag: str, response: Shape, params: tuple[Param, ...] = ()
) -> Callable:
    """Route a view under /api/v1 and describe it. The view gets the parsed parameters
    and its URL values and returns the JSON payload, or (objects, next position) for a
    list."""

    def register(view: Callable) -> Callable:
        rule = "/api/v1" + re.sub(
            r"\{(\w+)\}", lambda m: "<int:item_id>" if m[1] == "item_id" else f"<{m[1]}>", path
        )
        shape = response
        if any(p.name == "cursor" for p in params):
            shape = list_of(response)
        OPERATIONS.append(Operation(path, view.__name__, summary, tag, shape, params))

        @wraps(view)
        def answer(**values: Any):
            try:
                args = {p.name: p.read(request.args) for p in params if p.location == "query"}
                result = view(args, **values)
            except BadParameter as error:
                return problem(400, error.message, parameter=error.name)
            if shape is response:
                return json_response(response.dump(result))
            objects, position = result
            next_url = _next_url(params, position)
            return json_response(shape.dump({"data": objects, "next": next_url}), next_url=next_url)

        limited = limiter.limit(_limit_value, methods=["GET", "HEAD"])(answer)
        bp.add_url_rule(rule, view.__name__, limited, methods=["GET"])
        return view

    return register


def _next_url(params: tuple[Param, ...], position: list[Any] | None) -> str | None:
    if position is None:
        return None
    kept = {p.name: request.args[p.name] for p in params if p.name in request.args}
    kept["cursor"] = encode_cursor(position)
    return url_for(request.endpoint or "", _external=True, **(request.view_args or {}), **kept)


def _place(args: dict[str, Any]) -> tuple[Neighbourhood | None, Municipality | None]:
    """The neighbourhood and municipality filters; an unknown slug is a bad parameter."""
    neighbourhood = municipality = None
    if args.get("neighbourhood"):
        neighbourhood = Neighbourhood.by_slug(args["neighbourhood"])
        if neighbourhood is None:
            raise BadParameter("neighbourhood", _("There is no neighbourhood with this slug."))
    if args.get("municipality"):
        municipality = Municipality.by_slug(args["municipality"])
        if municipality is None:
            raise BadParameter("municipality", _("There is no municipality with this slug."))
    return neighbourhood, municipality


def _records(items: list[Item], dates: dict[int, list] | None = None) -> list[Record]:
    views = item_views(items, None)  # always the anonymous visitor's view
    return [
        Record(view, item.neighbourhood, tuple((dates or {}).get(item.id, ())))
        for view, item in zip(views, items, strict=True)
    ]


def _one(kind: ItemKind, item_id: int) -> Item:
    item = queries.published(kind, item_id)
    if item is None:
        raise NotFound()
    return item


# --- places -------------------------------------------------------------------------------


@operation(
    "/municipalities",
    "Municipalities, by slug.",
    "places",
    MUNICIPALITY,
    (LIMIT, cursor_param([str])),
)
def municipalities(args: dict[str, Any]):
    found = queries.municipalities(after=args["cursor"], limit=args["limit"])
    return [row[0] for row in found.rows], found.next_position


@operation("/municipalities/{slug}", "One municipality.", "places", MUNICIPALITY, (SLUG_PATH,))
def municipality(args: dict[str, Any], slug: str):
    found = Municipality.by_slug(slug) if is_slug(slug) else None
    if found is None:
        raise NotFound()
    return found


@operation(
    "/neighbourhoods",
    "Neighbourhoods, by slug.",
    "places",
    NEIGHBOURHOOD,
    (IN_MUNICIPALITY, LIMIT, cursor_param([str])),
)
def neighbourhoods(args: dict[str, Any]):
    _neighbourhood, city = _place(args)
    found = queries.neighbourhoods(municipality=city, after=args["cursor"], limit=args["limit"])
    return [row[0] for row in found.rows], found.next_position


@operation("/neighbourhoods/{slug}", "One neighbourhood.", "places", NEIGHBOURHOOD, (SLUG_PATH,))
def neighbourhood(args: dict[str, Any], slug: str):
    found = Neighbourhood.by_slug(slug) if is_slug(slug) else None
    if found is None:
        raise NotFound()
    return found


# --- activities ---------------------------------------------------------------------------

DATE_FROM = calendar_day("from", "Only activities with a date on or after this day.")
DATE_TO = calendar_day("to", "Only activities with a date on or before this day.")


@operation(
    "/activities",
    "Activities with a date not yet over, by their first such date; each with its dates.",
    "activities",
    ACTIVITY,
    (
        IN_NEIGHBOURHOOD,
        IN_MUNICIPALITY,
        integer(
            "organisation",
            "Only activities posted on behalf of this organisation (its id).",
            minimum=1,
            maximum=ROW_ID_MAX,
            default=None,
        ),
        choice("category", "Only activities in this category.", CATEGORIES),
        DATE_FROM,
        DATE_TO,
        LIMIT,
        cursor_param([str, int]),
    ),
)
def activities(args: dict[str, Any]):
    if args["from"] and args["to"] and args["to"] < args["from"]:
        raise BadParameter("to", _("The end date lies before the start date."))
    if args["cursor"]:
        try:
            datetime.fromisoformat(args["cursor"][0])
        except ValueError:
            raise BadParameter("cursor", _("This cursor is not one this API gave out.")) from None
    conditions = queries.in_places(*_place(args))
    if args["organisation"]:
        conditions.append(Item.organisation_id == args["organisation"])
    window = queries.Window.of_days(local_now(), args["from"], args["to"])
    found = queries.activities(
        conditions,
        window=window,
        category=args["category"],
        after=args["cursor"],
        limit=args["limit"],
    )
    items = [row[0] for row in found.rows]
    dates = queries.dates_of([item.id for item in items], window)
    return _records(items, dates), found.next_position


@operation("/activities/{item_id}", "One activity.", "activities", ACTIVITY, (ID_PATH,))
def activity(args: dict[str, Any], item_id: int):
    item = _one(ItemKind.ACTIVITY, item_id)
    window = queries.Window(local_now())
    return _records([item], queries.dates_of([item.id], window))[0]


# --- organisations, offers, news ------------------------------------------------------------


@operation(
    "/organisations",
    "Organisations and initiatives, oldest first.",
    "organisations",
    ORGANISATION,
    (IN_NEIGHBOURHOOD, IN_MUNICIPALITY, LIMIT, cursor_param([int])),
)
def organisations(args: dict[str, Any]):
    found = queries.organisations(
        queries.in_places(*_place(args)), after=args["cursor"], limit=args["limit"]
    )
    return _records([row[0] for row in found.rows]), found.next_position


@operation(
    "/organisations/{item_id}", "One organisation.", "organisations", ORGANISATION, (ID_PATH,)
)
def organisation(args: dict[str, Any], item_id: int):
    return _records([_one(ItemKind.ORGANISATION, item_id)])[0]


@operation(
    "/offers",
    "Open offers and requests (not past their last day), newest first.",
    "offers",
    OFFER,
    (
        IN_NEIGHBOURHOOD,
        IN_MUNICIPALITY,
        choice("kind", "Only offers, or only requests.", ("offer", "request")),
        LIMIT,
        cursor_param([int]),
    ),
)
def offers(args: dict[str, Any]):
    found = queries.offers(
        queries.in_places(*_place(args)),
        today=local_now().date(),
        kind=args["kind"],
        after=args["cursor"],
        limit=args["limit"],
    )
    return _records([row[0] for row in found.rows]), found.next_position


@operation("/offers/{item_id}", "One offer or request.", "offers", OFFER, (ID_PATH,))
def offer(args: dict[str, Any], item_id: int):
    return _records([_one(ItemKind.OFFER, item_id)])[0]


@operation(
    "/news",
    "News of the neighbourhoods, newest first.",
    "news",
    NEWS,
    (IN_NEIGHBOURHOOD, IN_MUNICIPALITY, LIMIT, cursor_param([int])),
)
def news(args: dict[str, Any]):
    found = queries.news(
        queries.in_places(*_place(args)), after=args["cursor"], limit=args["limit"]
    )
    return _records([row[0] for row in found.rows]), found.next_position


@operation("/news/{item_id}", "One news item.", "news", NEWS, (ID_PATH,))
def news_item(args: dict[str, Any], item_id: int):
    return _records([_one(ItemKind.NEWS, item_id)])[0]


# --- the document, the page for developers, and the headers of every answer ----------------


def document() -> dict[str, Any]:
    config = current_app.config
    info = {
        "title": f"{config['SITE_NAME']} open data",
        "version": "1",
        "description": "Public activities, organisations, offers and news of the "
        "neighbourhoods on this site, read-only. Personal details appear only where "
        "their owner made them public; e-mail addresses never do.",
        "license": {"name": config["API_LICENCE_NAME"], "url": config["API_LICENCE_URL"]},
        "contact": {"email": config["CONTROLLER_CONTACT"]},
    }
    return openapi(OPERATIONS, info=info, server=url_for("api.index", _external=True) + "/v1")


@bp.get("/api/v1/openapi.json")
@limiter.limit(_limit_value, methods=["GET", "HEAD"])
def openapi_document():
    return json_response(document())


@bp.get("/api")
def index():
    """What is there, the terms of reuse and the limits, with an example."""
    return render_template(
        "api/index.html",
        operations=OPERATIONS,
        example=url_for("api.activities", limit=2, _external=True),
        spec=url_for("api.openapi_document", _external=True),
        rate_limit=current_app.config["API_RATE_LIMIT"],
        page_max=PAGE_MAX,
    )


@bp.after_app_request
def api_headers(response):
    if is_api_request():
        response = cors(response)
    return response


@bp.record_once
def _json_errors(state) -> None:
    state.app.extensions.setdefault(ERROR_RESPONDERS, {})[PREFIX] = error_response
