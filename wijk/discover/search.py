"""Full-text search behind one function: SQLite FTS5 on the embedded default, a Dutch
tsvector with a GIN index on PostgreSQL (both built by migration 0002). The index holds
only title, location name and description, so a hidden contact field cannot be found.

Visitors' words never reach the query language: they are cut into plain words, quoted,
and the last one matches as a prefix, so no input can raise an FTS5 or tsquery syntax
error."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from markupsafe import Markup
from sqlalchemy import (
    Select,
    String,
    and_,
    bindparam,
    column,
    func,
    literal_column,
    not_,
    select,
    table,
    text,
    union,
)
from sqlalchemy.exc import DataError, OperationalError, ProgrammingError
from sqlalchemy.sql import ColumnExpressionArgument
from sqlalchemy.sql.elements import ColumnClause, ColumnElement

from wijk import pagecache
from wijk.clock import local_now
from wijk.content.categories import has_category, parse_codes
from wijk.discover.listing import PUBLISHED, current
from wijk.extensions import db
from wijk.models import (
    ActivityOccurrence,
    Item,
    ItemCategory,
    ItemKind,
    Municipality,
    Neighbourhood,
)
from wijk.models.listed import (
    ITEM_WIDTH,
    ListedDate,
    ListedItem,
    date_columns,
    item_columns,
    listed_date,
    listed_item,
    with_place,
)
from wijk.series.occurrences import ON, has_date_between, not_ended

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
    items: list[ListedItem]
    has_more: bool
    # Each activity's next date not yet over (from `next_from`), read with the items.
    next_dates: dict[int, ListedDate] = field(default_factory=dict)
    # Each item's category codes, read with the items.
    categories: dict[int, tuple[str, ...]] = field(default_factory=dict)


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
    keeps the items of that city's neighbourhoods. Each activity comes with its next
    date not yet over (from the range's start, when that is later), as a list that
    shows an activity once shows it (see listing.at_next_date)."""
    words = terms(query)
    if not words:
        return Results([], False)
    now = now or local_now()
    # Rank first, filter after: the filters (is the activity still on?) cost a lookup
    # per match, so they run on the best-ranked WINDOW matches only. When the window
    # does not fill the page (few matches, or most filtered out), all matches are used.
    window = max(WINDOW, (offset + limit + 1) * 4)
    start = datetime.combine(date_from, time.min) if date_from else None
    values: dict[str, Any] = {
        "now": now,
        "today": now.date(),
        "page_size": limit + 1,
        "offset": offset,
        "window": window,
        "bound": BOUND,
        "enough": min(window, BOUND),
        "kind": kind,
        "category": category,
        "start": start,
        "next_from": max(now, start) if start else now,
        "end": datetime.combine(date_to + timedelta(days=1), time.min) if date_to else None,
        "neighbourhood": neighbourhood.id if neighbourhood is not None else None,
        "municipality": municipality.id if municipality is not None else None,
        **_words(words),
    }
    shape = _Shape(
        _postgres(),
        kind in KINDS,
        bool(category),
        date_from is not None,
        date_to is not None,
        neighbourhood is not None,
        municipality is not None,
    )
    try:
        rows: list[Any] = []
        if not (shape.scoped or kind or category or date_from or date_to):
            # A search of everything ranks a bounded set (see _bounded); only when its
            # window leaves the page unfilled and there are more matches than the window
            # held, the exact way below runs.
            rows = _run(shape, "bounded", values)
            if len(rows) > limit or db.session.scalar(_more(shape), values) is None:
                return _results(rows, limit)
        rows = _run(shape, "window", values)
        if len(rows) <= limit:
            rows = _run(shape, "all", values)
    except (OperationalError, ProgrammingError, DataError) as error:
        db.session.rollback()
        current_app.logger.warning("search failed for %r: %s", words, error)
        raise SearchError from error
    return _results(rows, limit)


def _results(rows: list[Any], limit: int) -> Results:
    items, next_dates, categories = [], {}, {}
    for row in rows[:limit]:
        item = listed_item(row)
        items.append(item)
        pagecache.date_read(item.starts_at, item.ends_at)
        categories[item.id] = parse_codes(row[-1])
        if row[ITEM_WIDTH] is not None:  # the next date's id
            found = listed_date(row[ITEM_WIDTH:], item)
            pagecache.date_read(found.starts_at, found.ends_at)
            next_dates[item.id] = found
    return Results(items, len(rows) > limit, next_dates, categories)


# --- the statements: built once per shape of search, the values bound at execution ----


def _value(name: str) -> Any:
    """A value bound at execution (typed Any: it stands in for a datetime, a code...)."""
    return bindparam(name)


_NOW, _TODAY, _NEXT_FROM = _value("now"), _value("today"), _value("next_from")
_PAGE_SIZE, _OFFSET = _value("page_size"), _value("offset")
_WINDOW, _BOUND, _ENOUGH = _value("window"), _value("bound"), _value("enough")


@dataclass(frozen=True)
class _Shape:
    """What decides the statement of a search; everything else is a bound value. Two
    searches of one shape share a statement, built once per process (SQLAlchemy computes
    the cache key of a statement and assembles its ORM loading for each new statement:
    more than the SQL of a rare word took)."""

    postgres: bool
    kind: bool
    category: bool
    starts: bool
    ends: bool
    in_neighbourhood: bool
    in_municipality: bool

    @property
    def scoped(self) -> bool:
        return self.in_neighbourhood or self.in_municipality


_built: dict[tuple[_Shape, str], Any] = {}


def _run(shape: _Shape, way: str, values: dict[str, Any]) -> list[Any]:
    """The page of the search as rows of an item and its next date (or None), `way`
    being bounded (the bounded set, see _bounded), window (every match, the best WINDOW
    filtered) or all (every match filtered)."""
    statement = _built.get((shape, way))
    if statement is None:
        scope = _scope(shape)
        filters = _filters(shape)
        if scope is not None:
            filters.append(scope)
        ranking = _bounded(shape.postgres) if way == "bounded" else _matching(shape, scope)
        statement = _ranked(ranking, filters, _WINDOW if way != "all" else None)
        _built[(shape, way)] = statement
    return list(db.session.connection().execute(statement, values))


def _more(shape: _Shape) -> Select:
    """Whether there are more matches than `enough`: one row past them, or none."""
    statement = _built.get((shape, "more"))
    if statement is None:
        if shape.postgres:
            statement = select(Item.id).where(_postgresql()[0])
        else:
            statement = select(_fts.c.rowid).where(_sqlite()[0])
        statement = statement.limit(1).offset(_ENOUGH)
        _built[(shape, "more")] = statement
    return statement


def _words(words: list[str]) -> dict[str, str]:
    """The bound values of the match conditions: the visitor's words, quoted."""
    if _postgres():
        parts = [f"'{word}'" for word in words]
        if len(words[-1]) > 1:
            parts[-1] += ":*"
        return {"tsquery": " & ".join(parts)}
    quoted = [f'"{word}"' for word in words]
    if len(words[-1]) > 1:
        quoted[-1] += "*"
    fts_query = " ".join(quoted)
    return {"fts_query": fts_query, "fts_titles": "{title} : (" + fts_query + ")"}


@dataclass(frozen=True)
class _Ranking:
    """Matches with their rank: a select of `id` and `rank` columns."""

    matches: Select
    descending: bool  # a higher rank is better (PostgreSQL) or a lower one (bm25)


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _matching(shape: _Shape, scope: ColumnElement | None) -> _Ranking:
    """Every match, ranked; within `scope` (a condition on the item) only, when given:
    the index finds the matches, the scope's own index narrows them before ranking."""
    if shape.postgres:
        matches, rank, descending = _postgresql()
        ranked = select(Item.id.label("id"), rank.label("rank")).where(matches)
        if scope is not None:
            ranked = ranked.where(scope)
        return _Ranking(ranked, descending)
    matches, rank, descending = _sqlite()
    ranked = select(_fts.c.rowid.label("id"), rank.label("rank")).where(matches)
    if scope is not None:
        # The unary + keeps SQLite from handing each id of the scope to FTS5 as a
        # lookup of its own (one full query per id); FTS5 runs the query once and
        # ranks only the rows in the scope.
        ranked = ranked.where(_fts_rowid.in_(select(Item.id).where(scope)))
    return _Ranking(ranked, descending)


def _bounded(postgres: bool) -> _Ranking:
    """The BOUND newest matches, the BOUND newest matches in a title, and every match
    that is not an activity, ranked. Ranking reads every row it ranks, and a common word
    matches a tenth of all items. The newest activities are the ones still on; a match
    in a title outranks one in a description, so an older title match is still found
    first; organisations, offers and news are few and all ranked."""
    if postgres:
        matches, rank, descending = _postgresql()
        titles = _postgresql_titles()
        # PostgreSQL finds the newest matches by walking the primary key backwards and
        # testing each row (a GIN index cannot give them newest first): thousands of rows
        # for a common word, and once more for the title matches. Title matches are
        # matches too, so when the BOUND newest matches are all in a title they are the
        # BOUND newest title matches as well, and the second walk is skipped (a one-time
        # filter: PostgreSQL does not start it). A word in the titles of a kind of
        # activity, the common case, costs one walk instead of two.
        newest = (
            select(Item.id, titles.label("in_title"))
            .where(matches)
            .order_by(Item.id.desc())
            .limit(_BOUND)
            .cte("newest")
            .prefix_with("MATERIALIZED")
        )
        more_in_titles = select(
            and_(func.count() == _BOUND, not_(func.bool_and(newest.c.in_title)))
        ).scalar_subquery()
        in_titles = select(Item.id).where(titles).order_by(Item.id.desc()).limit(_BOUND).subquery()
        others = select(Item.id).where(matches, Item.kind.in_(OTHER_KINDS))
        ids = union(select(newest.c.id), select(in_titles.c.id).where(more_in_titles), others)
        ranked = select(Item.id.label("id"), rank.label("rank")).where(Item.id.in_(ids))
        return _Ranking(ranked, descending)
    matches, rank, descending = _sqlite()
    newest_, in_titles_ = (
        select(_fts.c.rowid).where(condition).order_by(_fts.c.rowid.desc()).limit(_BOUND)
        for condition in (matches, _sqlite_titles())
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


def _ranked(ranking: _Ranking, filters: list[ColumnElement], window: Any) -> Select:
    """Items among the `window` best of the ranked matches (all, without) that pass the
    filters, best first, `page_size` from `offset`."""
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
        .limit(_PAGE_SIZE)
        .offset(_OFFSET)
        .subquery()
    )
    # The next date in the same statement (the page cache learns from it when the page
    # changes: pagecache.date_read); the first to start of those not over and not
    # cancelled, as series.occurrences.next_dates picks it.
    next_date = (
        select(ActivityOccurrence.id)
        .where(ActivityOccurrence.activity_id == Item.id, ON, not_ended(_NEXT_FROM))
        .order_by(ActivityOccurrence.starts_at, ActivityOccurrence.id)
        .limit(1)
        .correlate(Item)
        .scalar_subquery()
    )
    # Read as plain rows (wijk.models.listed): the item with its neighbourhood and
    # organisation, its next date, and its category codes.
    return (
        with_place(
            select(*item_columns(), *date_columns(), ItemCategory.codes_column(Item.id)).join(
                page, page.c.id == Item.id
            )
        )
        .outerjoin(ActivityOccurrence, ActivityOccurrence.id == next_date)
        .order_by(page.c.rank.desc() if ranking.descending else page.c.rank, Item.id.desc())
    )


def _sqlite() -> tuple[ColumnExpressionArgument[bool], ColumnElement, bool]:
    """An FTS5 query of quoted words (a quoted string is never syntax), the last as a
    prefix; bm25 ranks title above location above description (lower is better)."""
    matches = text("item_fts MATCH :fts_query")
    return matches, literal_column("bm25(item_fts, 10.0, 5.0, 1.0)"), False


def _sqlite_titles() -> ColumnExpressionArgument[bool]:
    """The same words, all in the title."""
    return text("item_fts MATCH :fts_titles")


def _postgresql() -> tuple[ColumnExpressionArgument[bool], ColumnElement, bool]:
    """A tsquery of quoted words joined by &, the last as a prefix; the words hold only
    letters and digits, so quoting them is safe. Dutch stemming and stop words apply."""
    vector: ColumnClause[Any] = literal_column("item.search_vector")
    return vector.op("@@")(_TSQUERY), func.ts_rank_cd(vector, _TSQUERY), True


def _postgresql_titles() -> ColumnElement[bool]:
    """The same words, all in the title (a column of its own with its own index, built
    by migration 0020, so the planner knows how common a word is in titles)."""
    return literal_column("item.title_vector").op("@@")(_TSQUERY)


_TSQUERY = func.to_tsquery(literal_column("'dutch'::regconfig"), bindparam("tsquery", type_=String))


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


def _scope(shape: _Shape) -> ColumnElement | None:
    """The items of one neighbourhood and/or of one city's neighbourhoods; None: all."""
    conditions = []
    if shape.in_neighbourhood:
        conditions.append(Item.neighbourhood_id == bindparam("neighbourhood"))
    if shape.in_municipality:
        ids = select(Neighbourhood.id).where(
            Neighbourhood.municipality_id == bindparam("municipality")
        )
        conditions.append(Item.neighbourhood_id.in_(ids))
    return and_(*conditions) if conditions else None


def _filters(shape: _Shape) -> list[ColumnElement]:
    kinds = Item.kind == bindparam("kind") if shape.kind else Item.kind.in_(KINDS)
    conditions = [PUBLISHED, kinds]
    if shape.category:
        conditions.append(has_category(Item.id, _value("category")))
    if not (shape.starts or shape.ends):
        conditions.append(current(_NOW, _TODAY))
        return conditions
    conditions.append(Item.kind == ItemKind.ACTIVITY)
    start = _value("start") if shape.starts else None
    end = _value("end") if shape.ends else None
    conditions.append(has_date_between(start, end, Item.id))
    return conditions
