"""The published figures: views per month of each municipality, neighbourhood and item,
and what each place holds. Every count leaves here as a `Figure` (figures.shown), so a
page or file cannot show one below the minimum by accident."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from wijk.extensions import db
from wijk.models import Item, ItemKind, ItemStatus, Municipality, Neighbourhood, PageViewCount
from wijk.statistics.counting import ITEM, MUNICIPALITY, NEIGHBOURHOOD
from wijk.statistics.figures import Figure, last_months, next_month, shown

KINDS = (ItemKind.ACTIVITY, ItemKind.ORGANISATION, ItemKind.OFFER, ItemKind.NEWS)
TOP_ITEMS = 10


@dataclass(frozen=True)
class Row:
    """One municipality or neighbourhood: its views per month and what it holds."""

    name: str
    slug: str
    level: str  # "municipality" or "neighbourhood"
    views: tuple[Figure, ...]
    items: dict[str, Figure]


@dataclass(frozen=True)
class TopItem:
    id: int
    kind: str
    title: str
    views: Figure


def views_per_month(scope: str, ids: list[int], months: list[date]) -> dict[int, list[int]]:
    """id -> views in each of `months` (first days, oldest first)."""
    totals: dict[int, list[int]] = {ref_id: [0] * len(months) for ref_id in ids}
    if not ids or not months:
        return totals
    index = {month: n for n, month in enumerate(months)}
    rows = db.session.execute(
        select(PageViewCount.ref_id, PageViewCount.day, PageViewCount.views).where(
            PageViewCount.scope == scope,
            PageViewCount.ref_id.in_(ids),
            PageViewCount.day >= months[0],
            PageViewCount.day < next_month(months[-1]),
        )
    )
    for ref_id, day, views in rows:
        totals[ref_id][index[day.replace(day=1)]] += views
    return totals


def published_counts(neighbourhood_ids: list[int]) -> dict[int, dict[str, int]]:
    """neighbourhood id -> published items per kind."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    if not neighbourhood_ids:
        return counts
    rows = db.session.execute(
        select(Item.neighbourhood_id, Item.kind, func.count(Item.id))
        .where(Item.status == ItemStatus.PUBLISHED, Item.neighbourhood_id.in_(neighbourhood_ids))
        .group_by(Item.neighbourhood_id, Item.kind)
    )
    for neighbourhood_id, kind, n in rows:
        counts[neighbourhood_id][kind] = n
    return counts


def _summed(counts: list[dict[str, int]]) -> dict[str, int]:
    return {kind: sum(c[kind] for c in counts) for kind in KINDS}


def _figures(counts: dict[str, int], minimum: int) -> dict[str, Figure]:
    return {kind: shown(n, minimum) for kind, n in counts.items()}


def city_rows(
    city: Municipality, months: list[date], minimum: int, *, with_places: bool = True
) -> list[Row]:
    """The municipality's row, then one per neighbourhood (when `with_places`)."""
    places = list(city.neighbourhoods)
    place_ids = [p.id for p in places]
    city_views = views_per_month(MUNICIPALITY, [city.id], months)[city.id]
    held = published_counts(place_ids)
    rows = [
        Row(
            city.name,
            city.slug,
            MUNICIPALITY,
            tuple(shown(n, minimum) for n in city_views),
            _figures(_summed([held[i] for i in place_ids]), minimum),
        )
    ]
    if with_places:
        place_views = views_per_month(NEIGHBOURHOOD, place_ids, months)
        rows.extend(
            Row(
                place.name,
                place.slug,
                NEIGHBOURHOOD,
                tuple(shown(n, minimum) for n in place_views[place.id]),
                _figures(held[place.id], minimum),
            )
            for place in places
        )
    return rows


def overview(today: date, minimum: int, months: int = 6) -> tuple[list[date], list[list[Row]]]:
    """/statistieken: every municipality with its neighbourhoods."""
    chosen = last_months(today, months)
    return chosen, [city_rows(city, chosen, minimum) for city in Municipality.ordered()]


def neighbourhood_row(place: Neighbourhood, months: list[date], minimum: int) -> Row:
    views = views_per_month(NEIGHBOURHOOD, [place.id], months)[place.id]
    held = published_counts([place.id])[place.id]
    return Row(
        place.name,
        place.slug,
        NEIGHBOURHOOD,
        tuple(shown(n, minimum) for n in views),
        _figures(held, minimum),
    )


def top_items(neighbourhood_ids: list[int], month: date, minimum: int) -> list[TopItem]:
    """The most viewed published items of the month, only those at or above the minimum
    (a list of items "with fewer than 10 views" would say nothing)."""
    if not neighbourhood_ids:
        return []
    total = func.sum(PageViewCount.views)
    rows = db.session.execute(
        select(Item.id, Item.kind, Item.title, total)
        .join(PageViewCount, PageViewCount.ref_id == Item.id)
        .where(
            PageViewCount.scope == ITEM,
            PageViewCount.day >= month,
            PageViewCount.day < next_month(month),
            Item.neighbourhood_id.in_(neighbourhood_ids),
            Item.status == ItemStatus.PUBLISHED,
        )
        .group_by(Item.id, Item.kind, Item.title)
        .having(total >= minimum)
        .order_by(total.desc(), Item.id)
        .limit(TOP_ITEMS)
    )
    return [TopItem(i, kind, title, shown(n, minimum)) for i, kind, title, n in rows]


CSV_COLUMNS = ("month", "level", "name", "id", "views")


def city_csv(city: Municipality, today: date, minimum: int, months: int = 12) -> str:
    """For the municipality's staff: views per month of the city, each neighbourhood and
    each published item viewed; a figure below the minimum is written as "<N"."""
    chosen = last_months(today, months)
    places = list(city.neighbourhoods)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    city_views = views_per_month(MUNICIPALITY, [city.id], chosen)[city.id]
    place_views = views_per_month(NEIGHBOURHOOD, [p.id for p in places], chosen)
    items = list(
        db.session.execute(
            select(Item.id, Item.title)
            .where(
                Item.neighbourhood_id.in_([p.id for p in places]),
                Item.status == ItemStatus.PUBLISHED,
                Item.id.in_(
                    select(PageViewCount.ref_id).where(
                        PageViewCount.scope == ITEM, PageViewCount.day >= chosen[0]
                    )
                ),
            )
            .order_by(Item.id)
        )
    )
    item_views = views_per_month(ITEM, [i for i, _title in items], chosen)
    for n, month in enumerate(chosen):
        label = month.strftime("%Y-%m")
        writer.writerow(
            (label, MUNICIPALITY, city.name, city.id, shown(city_views[n], minimum).csv())
        )
        for place in places:
            writer.writerow(
                (
                    label,
                    NEIGHBOURHOOD,
                    place.name,
                    place.id,
                    shown(place_views[place.id][n], minimum).csv(),
                )
            )
        for item_id, title in items:
            writer.writerow(
                (label, ITEM, _cell(title), item_id, shown(item_views[item_id][n], minimum).csv())
            )
    return buffer.getvalue()


def _cell(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; quote those."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
