"""A per-process cache of public pages for anonymous visitors.

Rendering a neighbourhood page costs ~13 ms of ORM work and templates; serving it from
memory costs well under a millisecond. The promise that a field switched to hidden
disappears at once is kept by a version number in the database (content_version) that
goes up in the same transaction as every change to public content; a cached page is
served only while the version it was rendered at is still current, and never for more
than MAX_AGE seconds (time alone changes what is upcoming or expired).

Only anonymous GETs of a fixed set of public endpoints are cached. CSRF tokens are
per-visitor, so pages are stored with a placeholder that is replaced on the way out.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from itertools import chain

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from wijk.extensions import changed_rows, db
from wijk.models import ContentVersion

MAX_AGE = 60
MAX_ENTRIES = 512
PLACEHOLDER = "\x00wijk-csrf\x00"
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
# Tables whose rows appear on public pages; a write to any of them bumps the version.
WATCHED = frozenset(
    {
        "item",
        "neighbourhood",
        "neighbourhood_postcode",
        "item_category",
        "signup",
        "newsletter",
        "municipality",
        "city_news",
    }
)
_CHANGED = "wijk.content_changed"


@dataclass(frozen=True)
class Entry:
    version: int
    stored: float
    etag: str
    body: str
    mimetype: str | None


class PageCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, version: int) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.version != version or time.monotonic() - entry.stored > MAX_AGE:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def current_version() -> int:
    return db.session.scalar(select(ContentVersion.version).where(ContentVersion.id == 1)) or 0


def _cacheable() -> bool:
    return bool(
        current_app.config.get("PAGE_CACHE", True)
        and request.method == "GET"
        and request.endpoint in CACHEABLE
        and "_user_id" not in session
        and "_flashes" not in session
        and "remember_token" not in request.cookies
    )


def _serve(entry: Entry) -> Response:
    if request.if_none_match.contains(entry.etag):
        response = Response(status=304)
    else:
        body = (
            entry.body.replace(PLACEHOLDER, generate_csrf())
            if PLACEHOLDER in entry.body
            else entry.body
        )
        response = Response(body, mimetype=entry.mimetype)
    response.set_etag(entry.etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


def register(app: Flask) -> None:
    cache = PageCache()
    app.extensions["wijk_page_cache"] = cache

    def csrf_token() -> str:
        return PLACEHOLDER if g.get("page_cache_key") else generate_csrf()

    # Flask-WTF offers csrf_token both as a global and from a context processor.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})

    @app.before_request
    def serve_cached() -> Response | None:
        if not _cacheable():
            return None
        key = (request.path, request.query_string, str(get_locale()))
        version = current_version()
        g.page_cache_key, g.page_cache_version = key, version
        entry = cache.get(key, version)
        if entry is None:
            return None
        g.pop("page_cache_key")  # served from the cache: nothing to store afterwards
        return _serve(entry)

    @app.after_request
    def store(response: Response) -> Response:
        key = g.pop("page_cache_key", None)
        if key is None or response.direct_passthrough:
            return response
        body = response.get_data(as_text=True)
        if response.status_code == 200:
            digest = hashlib.sha256(body.encode()).hexdigest()[:20]
            cache.put(
                key, Entry(g.page_cache_version, time.monotonic(), digest, body, response.mimetype)
            )
            response.set_etag(digest)
            response.headers["Cache-Control"] = "no-cache"
        if PLACEHOLDER in body:  # error pages too carry forms (the language switch)
            response.set_data(body.replace(PLACEHOLDER, generate_csrf()))
        return response


# --- the version: bumped in the transaction of every change to public content -----------


def _touches_watched(session: Session) -> bool:
    return any(
        getattr(getattr(obj, "__table__", None), "name", None) in WATCHED
        for obj in chain(session.new, session.dirty, session.deleted)
    )


@event.listens_for(Session, "before_flush")
def _watch_flush(session: Session, flush_context, instances) -> None:
    if _touches_watched(session):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _watch_statements(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in WATCHED:
            state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    session.flush()  # changes still pending are part of this transaction too
    if not session.info.pop(_CHANGED, False):
        return
    bumped = changed_rows(
        update(ContentVersion)
        .where(ContentVersion.id == 1)
        .values(version=ContentVersion.version + 1)
        .execution_options(synchronize_session=False),
        session,
    )
    if bumped == 0:
        session.execute(insert(ContentVersion).values(id=1, version=1))


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)
