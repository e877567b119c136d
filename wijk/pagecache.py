"""Cached public pages for anonymous visitors, shared by every worker (wijk/pagestore.py).

The promise that a field switched to hidden disappears at once is kept by versions in
the database (`page_version`), one per scope: a neighbourhood (`n<id>`), a municipality
(`m<id>`), the list of places (`places`), the whole site (`site`) and everything
(`all`). Each change to public content gives the scopes it touches a new version in
the same transaction as the change. A page declares what it shows with `shows(...)`
while it renders (a page that declares nothing depends on `site`, which every change
bumps); it is stored with the versions of its scopes read before any of its content
was, and served only while every one of them is still current, never for more than
PAGE_CACHE_MAX_AGE seconds (time alone changes what is upcoming or expired).

Only GETs of the endpoints in CACHEABLE are cached, and one entry serves anonymous
visitors and plain residents alike: what differs per person (the account menu, follow
and newsletter boxes) is a `personal(template, ...)` fragment, stored as a marker and
rendered for each visitor on the way out; CSRF tokens likewise. Whoever may see a page
differently (admins, managers, city staff, anyone who owns or co-manages an item, whose
hidden values and toggles the gate shows them) never gets or fills a shared entry.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections import OrderedDict
from collections.abc import Iterable
from itertools import chain

from flask import Flask, Response, current_app, g, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import Column, event, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList

from wijk.extensions import db
from wijk.models import Item, ItemKind, ItemManager, Neighbourhood, PageVersion
from wijk.pagestore import open_store
from wijk.security.permissions import managed_neighbourhood_ids, staffed_municipality_ids

PLACEHOLDER = "\x00wijk-csrf\x00"
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
PLACE_TABLES = frozenset({"neighbourhood", "neighbourhood_postcode", "municipality"})
WATCHED = frozenset({"item", "newsletter", "city_news", *ITEM_PARTS, *PLACE_TABLES})
_CHANGED = "wijk.pages_changed"


def neighbourhood_scope(neighbourhood_id: int) -> str:
    return f"n{neighbourhood_id}"


def municipality_scope(municipality_id: int) -> str:
    return f"m{municipality_id}"


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


def versions(scopes: Iterable[str] | None = None) -> dict[str, int]:
    """The current version of the given scopes (of all, without), in one statement."""
    query = select(PageVersion.scope, PageVersion.version)
    if scopes is not None:
        query = query.where(PageVersion.scope.in_(list(scopes)))
    return {scope: version for scope, version in db.session.execute(query)}


def personal(template: str, **context) -> Markup:
    """A fragment of a page that differs per visitor. Rendered in place, except while a
    page is rendered for the shared cache: then it is a marker, and the fragment is
    rendered for each visitor the page is served to. `context` must be plain values."""
    if not g.get("page_cache_key"):
        return Markup(render_template(template, **context))  # noqa: S704 (a rendered template)
    parts = g.setdefault("page_parts", [])
    parts.append([template, json.loads(json.dumps(context, default=str))])
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


_ANONYMOUS_PARTS: OrderedDict[tuple, str] = OrderedDict()
_ANONYMOUS_PARTS_KEPT = 4096


def _part(template: str, context: dict) -> str:
    """One fragment for this visitor. What an anonymous visitor gets depends only on
    the fragment, the language and the page's path (their CSRF token is still a
    placeholder), so each process keeps those instead of rendering them every time."""
    if current_user.is_authenticated:
        return render_template(template, **context)
    key = (template, json.dumps(context, sort_keys=True), str(get_locale()), request.path)
    found = _ANONYMOUS_PARTS.get(key)
    if found is None:
        found = _ANONYMOUS_PARTS[key] = render_template(template, **context)
        while len(_ANONYMOUS_PARTS) > _ANONYMOUS_PARTS_KEPT:
            _ANONYMOUS_PARTS.popitem(last=False)
    return found


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


def _sees_the_public_page() -> bool:
    """Anonymous visitors, and residents with no role and no content of their own: the
    gate shows them exactly what it shows the public, apart from personal() parts."""
    if "_user_id" not in session:
        return "remember_token" not in request.cookies
    user = current_user
    if not user.is_authenticated or user.is_admin:
        return False
    if managed_neighbourhood_ids(user) or staffed_municipality_ids(user):
        return False
    return not db.session.scalar(
        select(Item.id)
        .where(Item.owner_id == user.id)
        .union_all(select(ItemManager.item_id).where(ItemManager.user_id == user.id))
        .limit(1)
    )


def _cacheable() -> bool:
    return bool(
        current_app.config.get("PAGE_CACHE", True)
        and request.method == "GET"
        and request.endpoint in CACHEABLE
        and "_flashes" not in session
        and _sees_the_public_page()
    )


def _encode(header: dict, body: str) -> bytes:
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + body.encode()


def _decode(raw: bytes) -> tuple[dict, str]:
    header, _, body = raw.partition(b"\n")
    return json.loads(header), body.decode()


def register(app: Flask) -> None:
    app.extensions["wijk_page_cache"] = open_store(app.config, app.instance_path)

    def csrf_token() -> str:
        shared = g.get("page_cache_key") or g.get("page_parts_rendering")
        return PLACEHOLDER if shared else generate_csrf()

    # Flask-WTF offers csrf_token both as a global and from a context processor.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["personal"] = personal
    app.context_processor(lambda: {"csrf_token": csrf_token})

    @app.before_request
    def serve_cached() -> Response | None:
        if not _cacheable():
            return None
        key = f"{get_locale()}|{request.full_path}"
        raw = current_app.extensions["wijk_page_cache"].get(key)
        if raw is not None:
            header, body = _decode(raw)
            stored: dict[str, int] = header["v"]
            current = versions(stored)
            if all(current.get(scope, 0) == version for scope, version in stored.items()):
                return _respond(header["e"], body, header["p"], Response(mimetype=header["m"]))
        # Rendering: the versions are read before any content, so a change committed
        # while the page renders leaves it stored at an outdated version, never served.
        g.page_cache_key, g.page_cache_versions = key, versions()
        return None

    @app.after_request
    def store_page(response: Response) -> Response:
        key = g.pop("page_cache_key", None)
        if key is None or response.direct_passthrough:
            return response
        body = response.get_data(as_text=True)
        parts = g.pop("page_parts", [])
        if response.status_code == 200:
            digest = hashlib.sha256(body.encode()).hexdigest()[:20]
            seen = g.page_cache_versions
            scopes = {ALL, *(g.get("page_scopes") or {SITE})}
            header = {
                "v": {s: seen.get(s, 0) for s in scopes},
                "e": digest,
                "m": response.mimetype,
                "p": parts,
            }
            current_app.extensions["wijk_page_cache"].put(key, _encode(header, body))
            return _respond(digest, body, parts, response)
        # Error pages too carry forms (the language switch) and fragments.
        _etag, body = _personalised("", body, parts)
        response.set_data(body.replace(PLACEHOLDER, generate_csrf()))
        return response


# --- the versions: bumped in the transaction of every change to public content ----------


def _changes(session: Session) -> dict[str, set]:
    return session.info.setdefault(
        _CHANGED, {"scopes": {SITE}, "neighbourhoods": set(), "items": set()}
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
