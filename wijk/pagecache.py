"""Cached public pages for anonymous visitors, shared by every worker (wijk/pagestore.py).

The promise that a field switched to hidden disappears at once is kept by versions in
the database (`page_version`), one per scope: a neighbourhood (`n<id>`), a municipality
(`m<id>`), the list of places (`places`), the whole site (`site`) and everything
(`all`). Each change to public content gives the scopes it touches a new version in
the same transaction as the change. A page declares what it shows with `shows(...)`
while it renders (a page that declares nothing depends on `site`, which every change
bumps); it is stored with the versions of its scopes read before any of its content
was, and served only while every one of them is still current.

Time alone changes a page too (a date ends and leaves the agenda, an offer expires at
midnight): each page is served until the first moment any activity date it read is
over, and never past the next local midnight (which turns "tomorrow" into "today" and
expires offers and old news). PAGE_CACHE_MAX_AGE is the safety net above both.

Only GETs of the endpoints in CACHEABLE are cached, and one entry serves anonymous
visitors and residents alike: what differs per person (the account menu, follow and
newsletter boxes) is a `personal(template, ...)` fragment, stored as a marker and
rendered for each visitor on the way out (kept per process: for anonymous visitors per
template and language, for logged-in ones by what the fragment asked about them, see
wijk/residentparts.py); CSRF tokens likewise. The gate
(wijk/visibility.py) tells this module which items a page showed and whether it gave
the viewer more than the public (hidden values and toggles for the items they edit): such
a render is never stored, and a stored page is served to someone who owns or co-manages
items only when it shows none of them. Admins, managers and city staff, who may edit
whole neighbourhoods, never get or fill a shared entry.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import chain

from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    render_template,
    request,
    session,
)
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy import Column, event, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList

from wijk import residentparts
from wijk.clock import local_now, local_zone
from wijk.extensions import db
from wijk.layout import refuse_in_shared_part
from wijk.models import (
    ActivityOccurrence,
    Item,
    ItemKind,
    Neighbourhood,
    PageVersion,
)
from wijk.pagestore import open_store
from wijk.security.permissions import (
    edited_item_ids,
    managed_neighbourhood_ids,
    staffed_municipality_ids,
)

PLACEHOLDER = "\x00wijk-csrf\x00"
PATH_PLACEHOLDER = "\x00wijk-path\x00"
# The layout of a stored entry: part of every key, so entries an older release stored in
# a store that outlives the deploy (Redis, the file) are never read as this one's.
FORMAT = "2"
PART = re.compile("\x00wijk-part-(\\d+)\x00")
CACHEABLE = frozenset(
    {
        "neighbourhoods.home",
        "neighbourhoods.neighbourhood",
        "content.show",
        "discover.search_all",
        "discover.search_neighbourhood",
        "discover.news_page",
        "discover.news_archive",
        "newsletters.archive",
        "newsletters.archived",
        "cities.city",
        "cities.news_archive",
        "cities.news_page",
        "cities.newsletter_archive",
        "cities.newsletter_archived",
        "discover.search_city",
    }
)
ALL, SITE, PLACES = "all", "site", "places"
# Tables whose rows appear on public pages, and the column naming the item a row is part of.
ITEM_PARTS = {
    "activity_occurrence": "activity_id",
    "signup": "activity_id",
    "item_category": "item_id",
}
# Parts only the item's own page shows (sign-up counts): they touch that page alone.
ITEM_PAGE_ONLY = frozenset({"signup"})
PLACE_TABLES = frozenset({"neighbourhood", "neighbourhood_postcode", "municipality"})
WATCHED = frozenset({"item", "newsletter", "city_news", *ITEM_PARTS, *PLACE_TABLES})
_CHANGED = "wijk.pages_changed"


def neighbourhood_scope(neighbourhood_id: int) -> str:
    return f"n{neighbourhood_id}"


def municipality_scope(municipality_id: int) -> str:
    return f"m{municipality_id}"


def item_scope(item_id: int) -> str:
    """What only an item's own page shows (how many places are left)."""
    return f"i{item_id}"


def city_news_scope(municipality_id: int) -> str:
    """The city's news, shown on the city page and on each of its neighbourhoods' pages
    (which need not change when another neighbourhood of the city does)."""
    return f"c{municipality_id}"


def shows(
    *,
    neighbourhood=None,
    municipality=None,
    neighbourhood_id: int | None = None,
    places: bool = False,
    city_news_of: int | None = None,
    item_id: int | None = None,
) -> None:
    """Declare, while rendering a cacheable page, what it shows: the page stays cached
    until something in that neighbourhood / municipality (or the list of places)
    changes. A page showing content from all over the site declares nothing."""
    scopes = g.setdefault("page_scopes", set())
    if neighbourhood is not None:
        neighbourhood_id = neighbourhood.id
    if neighbourhood_id is not None:
        scopes.add(neighbourhood_scope(neighbourhood_id))
    if municipality is not None:
        scopes.add(municipality_scope(municipality.id))
    if places:
        scopes.add(PLACES)
    if city_news_of is not None:
        scopes.add(city_news_scope(city_news_of))
    if item_id is not None:
        scopes.add(item_scope(item_id))


_VERSIONS = select(PageVersion.scope, PageVersion.version)


@lru_cache(maxsize=64)
def _versions_of(paramstyle: str, count: int) -> str:
    """The statement reading `count` scopes, in the driver's own placeholders: the check
    runs on every cached page served, and SQLAlchemy's compiled-statement machinery (an
    expanding IN, the result's processors) cost more than the statement itself."""
    marks = ", ".join(["?" if paramstyle == "qmark" else "%s"] * count)
    table = PageVersion.__tablename__
    return f"SELECT scope, version FROM {table} WHERE scope IN ({marks})"  # noqa: S608 (placeholders)


def versions(scopes: Iterable[str] | None = None) -> dict[str, int]:
    """The current version of the given scopes (of all, without), in one statement, read
    through the engine's events (so the query guard and wijk/readonly.py see it like any
    other). All of them are read on the session's connection, before a page renders; the
    check of a stored page reads its own scopes on the connection the request already
    has, or (an anonymous visitor, whose cached page reads nothing else) on one taken
    from the pool without an ORM session: the session's set-up and teardown cost more
    than the statement."""
    if scopes is None:
        rows = db.session.connection().execute(_VERSIONS)
        return {scope: version for scope, version in rows}
    wanted = tuple(scopes)
    if not wanted:
        return {}
    if db.session.registry.has() and db.session().in_transaction():
        return _versions_on(db.session.connection(), wanted)
    with db.engine.connect() as connection:
        return _versions_on(connection, wanted)


def _versions_on(connection: Connection, wanted: tuple[str, ...]) -> dict[str, int]:
    statement = _versions_of(connection.dialect.paramstyle, len(wanted))
    return {scope: version for scope, version in connection.exec_driver_sql(statement, wanted)}


# --- what the gate and the loaded rows tell about the page being rendered ---------------


def shown(item_id: int, *, more_than_public: bool) -> None:
    """Called by the gate (wijk/visibility.py) for every item it hands to a page:
    which items the page shows, and whether this viewer got more than the public."""
    if not has_request_context() or not g.get("page_cache_key"):
        return
    g.setdefault("page_items", set()).add(item_id)
    if more_than_public:
        g.page_not_shared = True


def _changes_at(moment: datetime | None) -> None:
    """A moment (local wall-clock time) at which time alone changes the page."""
    if moment is None or not has_request_context() or not g.get("page_cache_key"):
        return
    if moment > g.page_cache_now and moment < g.page_cache_until:
        g.page_cache_until = moment


@event.listens_for(ActivityOccurrence, "load")
@event.listens_for(Item, "load", propagate=True)
def _dates_loaded(row: ActivityOccurrence | Item, _context) -> None:
    # Every date a page reads, however it was queried: when it is over (its end, or its
    # start when it has none) it leaves the agenda, the search results and the sign-up
    # form, which all show what is "not yet over"; nothing shown changes at a start.
    # Read from the row's loaded values: a column left unloaded is not worth a query.
    loaded = row.__dict__
    date_read(loaded.get("starts_at"), loaded.get("ends_at"))


def date_read(starts_at: datetime | None, ends_at: datetime | None) -> None:
    """A date (or an item's first date) the page shows: the page changes when it is over.
    The load event above calls it for mapped rows; lists that read plain rows
    (wijk.models.listed), for which no load event fires, call it themselves."""
    _changes_at(ends_at or starts_at)


def _next_midnight(now: datetime) -> datetime:
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time())


def _epoch(local: datetime) -> float:
    return local.replace(tzinfo=local_zone()).timestamp()


def personal(template: str, **context) -> Markup:
    """A fragment of a page that differs per visitor. While a page is rendered for the
    shared cache it is a marker, and the fragment is rendered for each visitor the page
    is served to; otherwise it is rendered in place (for an anonymous visitor from the
    fragments this process keeps, with their own CSRF token). `context` must be plain
    values."""
    refuse_in_shared_part("a personal fragment")
    context = json.loads(json.dumps(context, default=str))
    if not g.get("page_cache_key"):
        if current_user.is_authenticated:
            found = _for_this_visitor(template, context)
            return Markup(found.replace(PLACEHOLDER, generate_csrf()))  # noqa: S704 (a rendered template)
        g.page_parts_rendering = True
        try:
            found = _part(template, context)
        finally:
            g.pop("page_parts_rendering")
        return Markup(found.replace(PLACEHOLDER, generate_csrf()))  # noqa: S704 (as above)
    parts = g.setdefault("page_parts", [])
    parts.append([template, context])
    return Markup(f"\x00wijk-part-{len(parts) - 1}\x00")  # noqa: S704 (our own marker)


def _personalised(digest: str, body: str, parts: list) -> tuple[str, str]:
    """(ETag, page) for this visitor: the fragments rendered for them, the CSRF token
    still a placeholder (a fresh token must not change the tag)."""
    if not parts:
        return digest, body
    g.page_parts_rendering = True
    try:
        rendered = [_part(template, context) for template, context in parts]
    finally:
        g.pop("page_parts_rendering")
    etag = hashlib.sha256("\x00".join([digest, *rendered]).encode()).hexdigest()[:20]
    return etag, PART.sub(lambda match: rendered[int(match.group(1))], body)


def _for_this_visitor(template: str, context: dict) -> str:
    """A fragment for a logged-in visitor, its CSRF token still a placeholder: a text
    kept for visitors who answer the same (wijk/residentparts.py), else rendered."""
    flags = g.get("page_parts_rendering"), g.get("page_part_shared")
    g.page_parts_rendering = g.page_part_shared = True
    try:
        found = residentparts.render(
            template, context, _visitor_context, lambda: _render(template, context)
        )
    finally:
        g.page_parts_rendering, g.page_part_shared = flags
    return found.replace(PATH_PLACEHOLDER, str(escape(request.path)))


def _visitor_context() -> dict:
    """The template context of a logged-in visitor's fragments. A page has up to four;
    the context processors (the same values for each: user, catalogue, CSRF and template
    helpers) run once per request instead of once per fragment."""
    who = current_user.get_id()
    found = g.get("page_parts_context")
    if found is None or found[0] != who:  # built again should the request log in or out
        shared: dict = {}
        current_app.update_template_context(shared)
        found = g.page_parts_context = (who, shared)
    return found[1]


def _render(template: str, context: dict) -> str:
    """A fragment rendered for this visitor alone."""
    return current_app.jinja_env.get_template(template).render({**_visitor_context(), **context})


_ANONYMOUS_PARTS: OrderedDict[tuple, str] = OrderedDict()
_ANONYMOUS_PARTS_KEPT = 2048


def _part(template: str, context: dict) -> str:
    """One fragment for this visitor. What an anonymous visitor gets depends only on
    the fragment and the language (their CSRF token and the page's path are still
    placeholders), so each process keeps those instead of rendering them every time:
    a handful per language, not one per page of the site."""
    if current_user.is_authenticated:
        return _for_this_visitor(template, context)
    key = (template, json.dumps(context, sort_keys=True), str(get_locale()))
    found = _ANONYMOUS_PARTS.get(key)
    if found is None:
        g.page_part_shared = True
        try:
            found = _ANONYMOUS_PARTS[key] = render_template(template, **context)
        finally:
            g.pop("page_part_shared")
        while len(_ANONYMOUS_PARTS) > _ANONYMOUS_PARTS_KEPT:
            _ANONYMOUS_PARTS.popitem(last=False)
    return found.replace(PATH_PLACEHOLDER, str(escape(request.path)))


def page_path() -> str:
    """The path of the page a fragment is shown on (a form's `next`): a placeholder in
    the fragments an anonymous visitor shares with every page, filled in by _part."""
    refuse_in_shared_part("the page's path")
    return PATH_PLACEHOLDER if g.get("page_part_shared") else request.path


def _respond(digest: str, body: str, parts: list, response: Response | None = None) -> Response:
    etag, body = _personalised(digest, body, parts)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = response or Response(mimetype="text/html")
        response.set_data(body.replace(PLACEHOLDER, generate_csrf()))
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _own_items() -> frozenset[int] | None:
    """The items this visitor edits (owns or co-manages), which the gate shows them with
    hidden values and toggles: empty for anonymous visitors and most residents. None for
    those who may edit whole neighbourhoods or the site (admins, managers, city staff):
    they never get or fill a shared entry."""
    if "_user_id" not in session:
        return None if "remember_token" in request.cookies else frozenset()
    user = current_user
    if not user.is_authenticated or user.is_admin:
        return None
    if managed_neighbourhood_ids(user) or staffed_municipality_ids(user):
        return None
    return edited_item_ids(user)


def _cacheable() -> frozenset[int] | None:
    """The visitor's own items (see _own_items) when this request may use the shared
    cache, else None."""
    if not (
        current_app.config.get("PAGE_CACHE", True)
        and request.method == "GET"
        and request.endpoint in CACHEABLE
        and "_flashes" not in session
    ):
        return None
    return _own_items()


def _encode(header: dict, body: str) -> bytes:
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + body.encode()


def _decode(raw: bytes) -> tuple[dict, str] | None:
    """The entry's header and page; None for anything unreadable (a page is then rendered,
    never an error shown)."""
    header, _, body = raw.partition(b"\n")
    try:
        found = json.loads(header)
        if not isinstance(found, dict) or not {"v", "e", "m", "p", "i", "x"} <= found.keys():
            return None
        return found, body.decode()
    except ValueError:
        return None


def register(app: Flask) -> None:
    app.extensions["wijk_page_cache"] = open_store(app.config, app.instance_path)

    def csrf_token() -> str:
        refuse_in_shared_part("a CSRF token")
        shared = g.get("page_cache_key") or g.get("page_parts_rendering")
        return PLACEHOLDER if shared else generate_csrf()

    # Flask-WTF offers csrf_token both as a global and from a context processor.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["personal"] = personal
    app.jinja_env.globals["page_path"] = page_path
    app.context_processor(lambda: {"csrf_token": csrf_token})

    @app.before_request
    def serve_cached() -> Response | None:
        own = _cacheable()
        if own is None:
            return None
        key = f"{FORMAT}|{get_locale()}|{request.full_path}"
        raw = current_app.extensions["wijk_page_cache"].get(key)
        entry = _decode(raw) if raw is not None else None
        if entry is not None:
            header, body = entry
            stored: dict[str, int] = header["v"]
            if own and not own.isdisjoint(header["i"]):
                return None  # it shows this visitor's own items: theirs is another page
            current = versions(stored)
            if header["x"] > time.time() and all(
                current.get(scope, 0) == version for scope, version in stored.items()
            ):
                return _respond(header["e"], body, header["p"], Response(mimetype=header["m"]))
        # Rendering: the versions are read before any content, so a change committed
        # while the page renders leaves it stored at an outdated version, never served.
        g.page_cache_key, g.page_cache_versions = key, versions()
        g.page_cache_now = now = local_now()
        g.page_cache_until = _next_midnight(now)
        return None

    @app.after_request
    def store_page(response: Response) -> Response:
        key = g.pop("page_cache_key", None)
        if key is None or response.direct_passthrough:
            return response
        body = response.get_data(as_text=True)
        parts = g.pop("page_parts", [])
        if response.status_code == 200 and not g.get("page_not_shared"):
            digest = hashlib.sha256(body.encode()).hexdigest()[:20]
            seen = g.page_cache_versions
            scopes = {ALL, *(g.get("page_scopes") or {SITE})}
            header = {
                "v": {s: seen.get(s, 0) for s in scopes},
                "e": digest,
                "m": response.mimetype,
                "p": parts,
                "i": sorted(g.get("page_items") or ()),
                "x": _epoch(g.page_cache_until),
            }
            current_app.extensions["wijk_page_cache"].put(key, _encode(header, body))
            return _respond(digest, body, parts, response)
        # Error pages too carry forms (the language switch) and fragments; so does a page
        # the gate gave this viewer more than the public, which is theirs alone.
        _etag, body = _personalised("", body, parts)
        response.set_data(body.replace(PLACEHOLDER, generate_csrf()))
        return response


# --- the versions: bumped in the transaction of every change to public content ----------


def _changes(session: Session) -> dict[str, set]:
    """What this transaction changed: scopes, and the neighbourhoods and items whose
    scopes are looked up at commit. Any change but a sign-up also changes `site`."""
    return session.info.setdefault(
        _CHANGED, {"scopes": set(), "neighbourhoods": set(), "items": set(), "item_pages": set()}
    )


def _table(obj: object) -> str | None:
    return getattr(getattr(obj, "__table__", None), "name", None)


def _history_values(obj: object, attribute: str) -> list:
    """The attribute's value now and, when this flush changed it, before."""
    state = inspect(obj)
    history = state.attrs[attribute].history
    return [value for value in chain(history.added, history.unchanged, history.deleted)]


def _note(session: Session, obj: object) -> None:
    table = _table(obj)
    changes = _changes(session)
    if table in ITEM_PAGE_ONLY:
        changes["item_pages"].update(_history_values(obj, ITEM_PARTS[str(table)]))
        return
    changes["scopes"].add(SITE)
    if table == "item":
        assert isinstance(obj, Item)
        changes["neighbourhoods"].update(_history_values(obj, "neighbourhood_id"))
        if obj.kind == ItemKind.ORGANISATION:
            changes["scopes"].add(ALL)  # its name appears on activities all over
    elif table in ITEM_PARTS:
        changes["items"].update(_history_values(obj, ITEM_PARTS[table]))
    elif table == "neighbourhood":
        assert isinstance(obj, Neighbourhood)
        changes["scopes"].add(PLACES)
        changes["neighbourhoods"].add(obj.id)
        changes["scopes"].update(
            municipality_scope(m) for m in _history_values(obj, "municipality_id") if m
        )
    elif table == "city_news":
        for m in _history_values(obj, "municipality_id"):
            changes["scopes"].update({municipality_scope(m), city_news_scope(m)})
    elif table == "newsletter":  # the archives of its neighbourhood or city
        changes["neighbourhoods"].update(_history_values(obj, "neighbourhood_id"))
        changes["scopes"].update(
            municipality_scope(m) for m in _history_values(obj, "municipality_id") if m
        )
    elif table == "municipality":
        changes["scopes"].add(ALL)  # its name is on the pages of all its neighbourhoods
    elif table in PLACE_TABLES:
        changes["scopes"].add(PLACES)


@event.listens_for(Session, "after_flush")
def _watch_flush(session: Session, flush_context) -> None:
    # After the flush, ids and foreign keys are set; new/dirty/deleted and the attribute
    # history still describe what this flush wrote.
    for obj in chain(session.new, session.dirty, session.deleted):
        if _table(obj) in WATCHED:
            _note(session, obj)


def _equals(where: object) -> tuple[str, object] | None:
    """(column name, value) of a `column == value` condition, else None."""
    if (
        isinstance(where, BinaryExpression)
        and where.operator is operators.eq
        and isinstance(where.left, Column)
        and isinstance(where.right, BindParameter)
    ):
        return where.left.name, where.right.effective_value
    return None


@event.listens_for(Session, "do_orm_execute")
def _watch_statements(state) -> None:
    """Bulk statements: one on a part of an item that names the item or the row
    (`delete(ItemCategory).where(ItemCategory.item_id == item.id)`) touches that item's
    scopes; any other touches every page."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name not in WATCHED:
        return
    changes = _changes(state.session)
    where = getattr(state.statement, "whereclause", None)
    conditions = where.clauses if isinstance(where, BooleanClauseList) else [where]
    named = dict(found for found in map(_equals, conditions) if found)
    if name in ITEM_PAGE_ONLY and ITEM_PARTS[name] in named:
        changes["item_pages"].add(named[ITEM_PARTS[name]])
        return
    changes["scopes"].add(SITE)
    if name in ITEM_PARTS and ITEM_PARTS[name] in named:
        changes["items"].add(named[ITEM_PARTS[name]])
    elif name in ITEM_PARTS and "id" in named:  # read before a delete takes the row
        part = db.metadata.tables[name]
        changes["items"].update(
            state.session.scalars(select(part.c[ITEM_PARTS[name]]).where(part.c.id == named["id"]))
        )
    elif name == "item" and "id" in named:
        changes["items"].add(named["id"])
    else:
        changes["scopes"].add(ALL)  # rows unknown: every page


def _scopes(session: Session, changes: dict[str, set]) -> set[str]:
    """The scopes of a transaction's changes: its own, plus the neighbourhood and the
    municipality of every item and neighbourhood it touched."""
    scopes = set(changes["scopes"])
    scopes.update(item_scope(i) for i in changes["item_pages"] if i is not None)
    neighbourhoods = {n for n in changes["neighbourhoods"] if n is not None}
    items = {i for i in changes["items"] if i is not None}
    if items:
        neighbourhoods.update(
            session.scalars(select(Item.neighbourhood_id).where(Item.id.in_(items)).distinct())
        )
    if neighbourhoods:
        scopes.update(neighbourhood_scope(n) for n in neighbourhoods)
        scopes.update(
            municipality_scope(m)
            for m in session.scalars(
                select(Neighbourhood.municipality_id)
                .where(Neighbourhood.id.in_(neighbourhoods))
                .distinct()
            )
            if m is not None
        )
    return scopes


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    session.flush()  # changes still pending are part of this transaction too
    changes = session.info.pop(_CHANGED, None)
    if not changes:
        return
    scopes = sorted(_scopes(session, changes))  # one order, so two writers cannot deadlock
    if not scopes:
        return
    # A new random version rather than a count: numbers that restart (a restored backup,
    # emptied tables) can never make an old page look current.
    version = secrets.randbelow(2**31 - 2) + 1
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(PageVersion).values(
        [{"scope": scope, "version": version} for scope in scopes]
    )
    session.execute(
        upsert.on_conflict_do_update(index_elements=[PageVersion.scope], set_={"version": version})
    )


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)
