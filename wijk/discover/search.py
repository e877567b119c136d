"""Full-text search behind one function: SQLite FTS5 on the embedded default, a Dutch
tsvector with a GIN index on PostgreSQL (both built by migration 0002). The index holds
only title, location name and description, so a hidden contact field cannot be found.

Visitors' words never reach the query language: they are cut into plain words, quoted,
and the last one matches as a prefix, so no input can raise an FTS5 or tsquery syntax
error."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from markupsafe import Markup
from sqlalchemy import (
    Select,
    and_,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
    union,
)
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
BOUND = 300  # newest matches a search of every neighbourhood ranks (see _bounded)
OTHER_KINDS = tuple(kind for kind in ItemKind if kind != ItemKind.ACTIVITY)
WORD = re.compile(r"[^\W_]+")  # letters and digits; everything else separates words

_fts = table("item_fts", column("rowid"))
_fts_rowid: ColumnClause[Any] = literal_column("+item_fts.rowid")  # see _matching


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
    scope = _scope(neighbourhood, municipality)
    filters = _filters(kind, category, date_from, date_to, now)
    if scope is not None:
        filters.append(scope)
    # Rank first, filter after: the filters (is the activity still on?) cost a lookup
    # per match, so they run on the best-ranked WINDOW matches only. When the window
    # does not fill the page (few matches, or most filtered out), all matches are used.
    window = max(WINDOW, (offset + limit + 1) * 4)
    try:
        items: list[Item] = []
        if scope is None and not (kind or category or date_from or date_to):
            # A search of everything ranks a bounded set (see _bounded); only when its
            # window leaves the page unfilled and there are more matches than the window
            # held, the exact way below runs.
            items = _ranked(_bounded(words), filters, limit, offset, window)
            if len(items) > limit or not _more_matches_than(words, min(window, BOUND)):
                return Results(items[:limit], len(items) > limit)
        items = _ranked(_matching(words, scope), filters, limit, offset, window)
        if len(items) <= limit:
            items = _ranked(_matching(words, scope), filters, limit, offset, None)
    except (OperationalError, ProgrammingError, DataError) as error:
        db.session.rollback()
        current_app.logger.warning("search failed for %r: %s", words, error)
        raise SearchError from error
    return Results(items[:limit], len(items) > limit)


@dataclass(frozen=True)
class _Ranking:
    """Matches with their rank: a select of `id` and `rank` columns."""

    matches: Select
    descending: bool  # a higher rank is better (PostgreSQL) or a lower one (bm25)


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _matching(words: list[str], scope: ColumnElement | None) -> _Ranking:
    """Every match, ranked; within `scope` (a condition on the item) only, when given:
    the index finds the matches, the scope's own index narrows them before ranking."""
    if _postgres():
        matches, rank, descending = _postgresql(words)
        ranked = select(Item.id.label("id"), rank.label("rank")).where(matches)
        if scope is not None:
            ranked = ranked.where(scope)
        return _Ranking(ranked, descending)
    matches, rank, descending = _sqlite(words)
    ranked = select(_fts.c.rowid.label("id"), rank.label("rank")).where(matches)
    if scope is not None:
        # The unary + keeps SQLite from handing each id of the scope to FTS5 as a
        # lookup of its own (one full query per id); FTS5 runs the query once and
        # ranks only the rows in the scope.
        ranked = ranked.where(_fts_rowid.in_(select(Item.id).where(scope)))
    return _Ranking(ranked, descending)


def _bounded(words: list[str]) -> _Ranking:
    """The BOUND newest matches, the BOUND newest matches in a title, and every match
    that is not an activity, ranked. Ranking reads every row it ranks, and a common word
    matches a tenth of all items. The newest activities are the ones still on; a match
    in a title outranks one in a description, so an older title match is still found
    first; organisations, offers and news are few and all ranked."""
    if _postgres():
        matches, rank, descending = _postgresql(words)
        titles = _postgresql_titles(words)
        newest, in_titles = (
            select(Item.id).where(condition).order_by(Item.id.desc()).limit(BOUND).subquery()
            for condition in (matches, titles)
        )
        others = select(Item.id).where(matches, Item.kind.in_(OTHER_KINDS))
        ids = union(select(newest.c.id), select(in_titles.c.id), others)
        ranked = select(Item.id.label("id"), rank.label("rank")).where(Item.id.in_(ids))
        return _Ranking(ranked, descending)
    matches, rank, descending = _sqlite(words)
    newest_, in_titles_ = (
        select(_fts.c.rowid).where(condition).order_by(_fts.c.rowid.desc()).limit(BOUND)
        for condition in (matches, _sqlite_titles(words))
    )
    ids_ = union(
        select(newest_.subquery().c.rowid),
        select(in_titles_.subquery().c.rowid),
        select(Item.id).where(Item.kind.in_(OTHER_KINDS)),
    )
    # One pass over the matches ranks those in the set (bm25 of a title-only query
    # would count the title's words only).
    ranked_ = select(_fts.c.rowid.label("id"), rank.label("rank")).where(
        matches, _fts_rowid.in_(ids_)
    )
    return _Ranking(ranked_, descending)


def _more_matches_than(words: list[str], count: int) -> bool:
    if _postgres():
        statement = select(Item.id).where(_postgresql(words)[0])
    else:
        statement = select(_fts.c.rowid).where(_sqlite(words)[0])
    return db.session.scalar(statement.limit(1).offset(count)) is not None


def _ranked(
    ranking: _Ranking, filters: list[ColumnElement], limit: int, offset: int, window: int | None
) -> list[Item]:
    """Items among the `window` best of the ranked matches (all, without) that pass the
    filters, best first, limit + 1 from `offset`."""
    ranked = ranking.matches.subquery()
    best_first = ranked.c.rank.desc() if ranking.descending else ranked.c.rank
    candidates: Any = ranked
    if window is not None:
        candidates = (
            select(ranked.c.id, ranked.c.rank)
            .order_by(best_first, ranked.c.id.desc())
            .limit(window)
            .subquery()
        )
        best_first = candidates.c.rank.desc() if ranking.descending else candidates.c.rank
    # The page's ids first, then their rows: sorting the full rows of every candidate
    # (descriptions, neighbourhoods, organisations) cost more than the ranking.
    page = (
        select(Item.id.label("id"), candidates.c.rank.label("rank"))
        .join(candidates, candidates.c.id == Item.id)
        .where(*filters)
        .order_by(best_first, Item.id.desc())
        .limit(limit + 1)
        .offset(offset)
        .subquery()
    )
    statement = (
        select(Item)
        .join(page, page.c.id == Item.id)
        .options(joinedload(Item.neighbourhood), joinedload(Item.organisation))
        .order_by(page.c.rank.desc() if ranking.descending else page.c.rank, Item.id.desc())
    )
    return list(db.session.scalars(statement))


def _sqlite(words: list[str]) -> tuple[ColumnExpressionArgument[bool], ColumnElement, bool]:
    """An FTS5 query of quoted words (a quoted string is never syntax), the last as a
    prefix; bm25 ranks title above location above description (lower is better)."""
    matches = text("item_fts MATCH :fts_query").bindparams(fts_query=_fts_query(words))
    return matches, literal_column("bm25(item_fts, 10.0, 5.0, 1.0)"), False


def _sqlite_titles(words: list[str]) -> ColumnExpressionArgument[bool]:
    """The same words, all in the title."""
    titles = "{title} : (" + _fts_query(words) + ")"
    return text("item_fts MATCH :fts_titles").bindparams(fts_titles=titles)


def _fts_query(words: list[str]) -> str:
    quoted = [f'"{word}"' for word in words]
    if len(words[-1]) > 1:
        quoted[-1] += "*"
    return " ".join(quoted)


def _postgresql(words: list[str]) -> tuple[ColumnExpressionArgument[bool], ColumnElement, bool]:
    """A tsquery of quoted words joined by &, the last as a prefix; the words hold only
    letters and digits, so quoting them is safe. Dutch stemming and stop words apply."""
    vector: ColumnClause[Any] = literal_column("item.search_vector")
    query = _tsquery(words)
    return vector.op("@@")(query), func.ts_rank_cd(vector, query), True


def _postgresql_titles(words: list[str]) -> ColumnExpressionArgument[bool]:
    """The same words, all in the title (a column of its own with its own index, built
    by migration 0020, so the planner knows how common a word is in titles)."""
    return literal_column("item.title_vector").op("@@")(_tsquery(words))


def _tsquery(words: list[str]) -> ColumnElement:
    parts = [f"'{word}'" for word in words]
    if len(words[-1]) > 1:
        parts[-1] += ":*"
    return func.to_tsquery(literal_column("'dutch'::regconfig"), " & ".join(parts))


# Core columns: rows as plain tuples, without the ORM's per-statement setup.
_neighbourhood, _municipality = Neighbourhood.__table__.c, Municipality.__table__.c
_CHOICES = (
    select(_neighbourhood.id, _neighbourhood.slug, _neighbourhood.name, _municipality.name)
    .join_from(
        Neighbourhood.__table__,
        Municipality.__table__,
        _municipality.id == _neighbourhood.municipality_id,
    )
    .order_by(_neighbourhood.name, _municipality.name)
)
_CHOICES_OF_CITY = _CHOICES.where(_neighbourhood.municipality_id == bindparam("city"))
_OPTION = Markup('<option value="{}">{} ({})</option>')
_SELECTED = Markup('<option value="{}" selected>{} ({})</option>')
_options: dict[tuple[tuple[Any, ...], ...], tuple[tuple[int, ...], tuple[Markup, ...]]] = {}
_options_lock = threading.Lock()
OPTIONS_KEPT = 64  # lists of options per process: all neighbourhoods, and each city's


def neighbourhood_options(
    municipality: Municipality | None = None, selected: int | None = None
) -> Markup:
    """The neighbourhood filter's <option>s by name (of one city, or all), `selected`
    marked. The rows are read on every call (id, slug, name and city: one cheap
    statement) and the options are rendered once per process for exactly those rows, so
    a renamed or new neighbourhood shows at once; escaping two hundred options cost more
    than the search itself."""
    if municipality is None:
        result = db.session.execute(_CHOICES)
    else:
        result = db.session.execute(_CHOICES_OF_CITY, {"city": municipality.id})
    rows = tuple(map(tuple, result.all()))
    with _options_lock:
        found = _options.get(rows)
    if found is None:
        found = (
            tuple(row[0] for row in rows),
            tuple(_OPTION.format(slug, name, city) for _id, slug, name, city in rows),
        )
        with _options_lock:
            if len(_options) >= OPTIONS_KEPT:
                _options.clear()
            _options[rows] = found
    ids, options = found
    if selected is not None and selected in ids:
        at = ids.index(selected)
        _id, slug, name, city = rows[at]
        options = (*options[:at], _SELECTED.format(slug, name, city), *options[at + 1 :])
    return Markup("".join(options))  # noqa: S704 (each option escaped by Markup.format)


def _scope(
    neighbourhood: Neighbourhood | None, municipality: Municipality | None
) -> ColumnElement | None:
    """The items of one neighbourhood and/or of one city's neighbourhoods; None: all."""
    conditions = []
    if neighbourhood is not None:
        conditions.append(Item.neighbourhood_id == neighbourhood.id)
    if municipality is not None:
        ids = select(Neighbourhood.id).where(Neighbourhood.municipality_id == municipality.id)
        conditions.append(Item.neighbourhood_id.in_(ids))
    return and_(*conditions) if conditions else None


def _filters(kind, category, date_from, date_to, now) -> list[ColumnElement]:
    conditions = [PUBLISHED, Item.kind.in_([kind] if kind in KINDS else KINDS)]
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
