"""Full-text search behind one function: SQLite FTS5 on the embedded default, a Dutch
tsvector with a GIN index on PostgreSQL (both built by migration 0002). The index holds
only title, location name and description, so a hidden contact field cannot be found.

Visitors' words never reach the query language: they are cut into plain words, quoted,
and the last one matches as a prefix, so no input can raise an FTS5 or tsquery syntax
error."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Row, column, func, literal_column, select, table, text
from sqlalchemy.exc import DataError, OperationalError, ProgrammingError
from sqlalchemy.orm import joinedload
from sqlalchemy.sql import ColumnExpressionArgument
from sqlalchemy.sql.elements import ColumnClause, ColumnElement

from wijk.clock import local_now
from wijk.content.categories import has_category
from wijk.discover.listing import PUBLISHED, current
from wijk.extensions import db
from wijk.models import Item, ItemKind, Municipality, Neighbourhood
from wijk.series.occurrences import has_date_between

KINDS = tuple(ItemKind)
MAX_TERMS, MAX_TERM_LENGTH = 8, 40
WINDOW = 200  # best-ranked matches the filters run on first
WORD = re.compile(r"[^\W_]+")  # letters and digits; everything else separates words

_fts = table("item_fts", column("rowid"))


class SearchError(Exception):
    """The database refused the query; the visitor gets a friendly answer."""


@dataclass(frozen=True)
class Results:
    items: list[Item]
    has_more: bool


def terms(query: str | None) -> list[str]:
    """The words of a query, lower-cased, at most MAX_TERMS of at most MAX_TERM_LENGTH."""
    words = WORD.findall((query or "").lower())
    return [word[:MAX_TERM_LENGTH] for word in words][:MAX_TERMS]


def search(
    query: str | None,
    *,
    neighbourhood: Neighbourhood | None = None,
    municipality: Municipality | None = None,
    kind: str | None = None,
    category: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 20,
    offset: int = 0,
    now: datetime | None = None,
) -> Results:
    """Published items matching every word, best first. Offers past their expiry date
    and activities that have ended are left out; a date range keeps the activities that
    take place in it (and only activities, the one kind with dates). `municipality`
    keeps the items of that city's neighbourhoods."""
    words = terms(query)
    if not words:
        return Results([], False)
    now = now or local_now()
    filters = [
        *_filters(neighbourhood, kind, category, date_from, date_to, now),
        *_in_city(municipality),
    ]
    # Rank first, filter after: the filters (is the activity still on?) cost a lookup
    # per match, so they run on the best-ranked WINDOW matches only. When the window
    # does not fill the page (few matches, or most filtered out), all matches are used.
    window = max(WINDOW, (offset + limit + 1) * 4)
    try:
        items = _ranked(words, filters, limit, offset, window)
        if len(items) <= limit:
            items = _ranked(words, filters, limit, offset, None)
    except (OperationalError, ProgrammingError, DataError) as error:
        db.session.rollback()
        current_app.logger.warning("search failed for %r: %s", words, error)
        raise SearchError from error
    return Results(items[:limit], len(items) > limit)


def _ranked(
    words: list[str], filters: list[ColumnElement], limit: int, offset: int, window: int | None
) -> list[Item]:
    """Items among the `window` best matches (all, without) that pass the filters, best
    first, limit + 1 from `offset`."""
    if db.session.get_bind().dialect.name == "postgresql":
        matches, rank, descending = _postgresql(words)
        ranked = select(Item.id.label("id"), rank.label("rank")).where(matches)
        key: Any = Item.id
    else:
        matches, rank, descending = _sqlite(words)
        ranked = select(_fts.c.rowid.label("id"), rank.label("rank")).where(matches)
        key = _fts.c.rowid
    if window is not None:
        best = rank.desc() if descending else rank
        ranked = ranked.order_by(best, key.desc()).limit(window)
    candidates = ranked.subquery()
    best_first = candidates.c.rank.desc() if descending else candidates.c.rank
    statement = (
        select(Item)
        .join(candidates, candidates.c.id == Item.id)
        .where(*filters)
        .options(joinedload(Item.neighbourhood), joinedload(Item.organisation))
        .order_by(best_first, Item.id.desc())
        .limit(limit + 1)
        .offset(offset)
    )
    return list(db.session.scalars(statement))


def _sqlite(words: list[str]) -> tuple[ColumnExpressionArgument[bool], ColumnElement, bool]:
    """An FTS5 query of quoted words (a quoted string is never syntax), the last as a
    prefix; bm25 ranks title above location above description (lower is better)."""
    quoted = [f'"{word}"' for word in words]
    if len(words[-1]) > 1:
        quoted[-1] += "*"
    matches = text("item_fts MATCH :fts_query").bindparams(fts_query=" ".join(quoted))
    return matches, literal_column("bm25(item_fts, 10.0, 5.0, 1.0)"), False


def _postgresql(words: list[str]) -> tuple[ColumnExpressionArgument[bool], ColumnElement, bool]:
    """A tsquery of quoted words joined by &, the last as a prefix; the words hold only
    letters and digits, so quoting them is safe. Dutch stemming and stop words apply."""
    parts = [f"'{word}'" for word in words]
    if len(words[-1]) > 1:
        parts[-1] += ":*"
    query = func.to_tsquery(literal_column("'dutch'::regconfig"), " & ".join(parts))
    vector: ColumnClause[Any] = literal_column("item.search_vector")
    return vector.op("@@")(query), func.ts_rank_cd(vector, query), True


def neighbourhood_choices(municipality: Municipality | None = None) -> list[Row[Any]]:
    """The neighbourhood filter's options by name (of one city, or all), as rows of id,
    slug, name and city: two hundred model objects took longer than the search itself."""
    statement = (
        select(
            Neighbourhood.id,
            Neighbourhood.slug,
            Neighbourhood.name,
            Municipality.name.label("city"),
        )
        .join(Municipality, Municipality.id == Neighbourhood.municipality_id)
        .order_by(Neighbourhood.name, Municipality.name)
    )
    if municipality is not None:
        statement = statement.where(Neighbourhood.municipality_id == municipality.id)
    return list(db.session.execute(statement))


def _in_city(municipality: Municipality | None) -> list[ColumnElement]:
    if municipality is None:
        return []
    ids = select(Neighbourhood.id).where(Neighbourhood.municipality_id == municipality.id)
    return [Item.neighbourhood_id.in_(ids)]


def _filters(neighbourhood, kind, category, date_from, date_to, now) -> list[ColumnElement]:
    conditions = [PUBLISHED, Item.kind.in_([kind] if kind in KINDS else KINDS)]
    if neighbourhood is not None:
        conditions.append(Item.neighbourhood_id == neighbourhood.id)
    if category:
        conditions.append(has_category(Item.id, category))
    if not (date_from or date_to):
        conditions.append(current(now))
        return conditions
    conditions.append(Item.kind == ItemKind.ACTIVITY)
    start = datetime.combine(date_from, time.min) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time.min) if date_to else None
    conditions.append(has_date_between(start, end, Item.id))
    return conditions
