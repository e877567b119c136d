"""Every permission rule lives here; views call these and templates get them as helpers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from flask import abort, has_request_context, request
from flask_login import current_user
from sqlalchemy import (
    CompoundSelect,
    Integer,
    ScalarSelect,
    String,
    bindparam,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.elements import BindParameter

from wijk.extensions import db
from wijk.models import (
    Follow,
    Follower,
    Item,
    ItemManager,
    Municipality,
    MunicipalityStaff,
    Neighbourhood,
    NeighbourhoodManager,
    Suspension,
    User,
)
from wijk.models.listed import AnyItem


def _is_user(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_post(user: Any) -> bool:
    """Only verified accounts post content."""
    return _is_user(user) and user.is_verified


def suspended_in(user: Any, neighbourhood: Neighbourhood | int) -> Suspension | None:
    """The active suspension that keeps the user from posting in this neighbourhood:
    one for the neighbourhood, or a site-wide one."""
    if not _is_user(user):
        return None
    neighbourhood_id = neighbourhood if isinstance(neighbourhood, int) else neighbourhood.id
    return db.session.scalars(
        select(Suspension)
        .where(
            Suspension.user_id == user.id,
            Suspension.lifted_at.is_(None),
            or_(
                Suspension.neighbourhood_id.is_(None),
                Suspension.neighbourhood_id == neighbourhood_id,
            ),
        )
        .order_by(Suspension.neighbourhood_id.is_not(None), Suspension.id)
    ).first()


def can_post_in(user: Any, neighbourhood: Neighbourhood | int) -> bool:
    """Posting in a neighbourhood also needs no active suspension there."""
    return can_post(user) and suspended_in(user, neighbourhood) is None


def can_suspend(actor: Any, neighbourhood: Neighbourhood | int | None) -> bool:
    """Managers suspend in their own neighbourhoods; only an admin suspends site-wide
    (`neighbourhood` None)."""
    if neighbourhood is None:
        return is_admin(actor)
    return can_moderate(actor, neighbourhood)


def can_lift(actor: Any, suspension: Suspension) -> bool:
    return can_suspend(actor, suspension.neighbourhood_id)


def is_owner(user: Any, item: AnyItem) -> bool:
    return _is_user(user) and item.owner_id == user.id


def is_co_manager(user: Any, item: AnyItem) -> bool:
    return _is_user(user) and item.id in co_managed_ids(user)


def co_managed_ids(user: Any) -> frozenset[int]:
    """Ids of the items the user co-manages: one query per request, not one per item,
    so listing pages do not grow with the number of items."""

    def load() -> frozenset[int]:
        query = select(ItemManager.item_id).where(ItemManager.user_id == user.id)
        return frozenset(db.session.scalars(query))

    return _once_per_request("co_managed_ids", user, load)


def _once_per_request(name: str, user: Any, load: Any) -> frozenset[int]:
    """`load()` once per request and user (kept in the WSGI environ); every call
    outside a request loads afresh."""
    if not has_request_context():
        return load()
    cache = request.environ.setdefault(f"wijk.{name}", {})
    if user.id not in cache:
        cache[user.id] = load()
    return cache[user.id]


def can_edit(user: Any, item: AnyItem) -> bool:
    """The owner and the co-managers the owner invited edit an item."""
    return is_owner(user, item) or is_co_manager(user, item)


def can_delete(user: Any, item: AnyItem) -> bool:
    return is_owner(user, item)


def can_invite(user: Any, item: AnyItem) -> bool:
    return is_owner(user, item)


def can_view(user: Any, item: AnyItem) -> bool:
    """Published items are public; the people who edit an item also see it unpublished."""
    return item.is_published or can_edit(user, item)


def require(allowed: bool) -> None:
    """Answer 403 unless the rule allowed it."""
    if not allowed:
        abort(403)


def as_user(user: Any) -> User | None:
    return user if _is_user(user) else None


def can_moderate(user: Any, neighbourhood: Neighbourhood | int) -> bool:
    """Admins, the managers of this neighbourhood and the staff of its municipality
    moderate it; nobody else."""
    if not _is_user(user):
        return False
    if user.is_admin:
        return True
    neighbourhood_id = neighbourhood if isinstance(neighbourhood, int) else neighbourhood.id
    return neighbourhood_id in managed_neighbourhood_ids(user) or (
        neighbourhood_id in city_neighbourhood_ids(user)
    )


def can_act_for_city(user: Any, municipality: Municipality | int) -> bool:
    """Admins and the municipality's own staff (gemeente, wijkteam) read and moderate
    across its neighbourhoods and write its news and newsletters; nobody else."""
    if not _is_user(user):
        return False
    if user.is_admin:
        return True
    municipality_id = municipality if isinstance(municipality, int) else municipality.id
    return municipality_id in staffed_municipality_ids(user)


def staffed_municipality_ids(user: Any) -> frozenset[int]:
    """Ids of the municipalities the user is staff of: read with the managed
    neighbourhoods, in one query per request."""
    if not _is_user(user):
        return frozenset()
    return _appointments(user)[1]


def edited_item_ids(user: Any) -> frozenset[int]:
    """Ids of the items the user owns or co-manages, as the request began: the page cache
    asks on every page a logged-in person opens, so they come with the appointments."""
    if not _is_user(user):
        return frozenset()
    return _appointments(user)[2]


_USER: BindParameter[int] = bindparam("user_id")
_NO_ID, _NO_TARGET = cast(null(), Integer), cast(null(), String)


def _appointment_rows(user_id: Any) -> CompoundSelect:
    """(kind, id, target) of everything the account with this id is appointed to, owns,
    co-manages or follows. The last part is not a permission but what the visitor
    follows (the follow box on most public pages asks it)."""
    return union_all(
        select(
            literal("n").label("kind"),
            NeighbourhoodManager.neighbourhood_id.label("ref"),
            _NO_TARGET.label("target"),
        ).where(NeighbourhoodManager.user_id == user_id),
        select(literal("m"), MunicipalityStaff.municipality_id, _NO_TARGET).where(
            MunicipalityStaff.user_id == user_id
        ),
        select(literal("i"), Item.id, _NO_TARGET).where(Item.owner_id == user_id),
        select(literal("i"), ItemManager.item_id, _NO_TARGET).where(ItemManager.user_id == user_id),
        select(literal("f"), _NO_ID, Follow.target)
        .join(Follower, Follower.id == Follow.follower_id)
        .where(Follower.user_id == user_id),
    )


# Built once: constructing the union cost more than running it, on every request.
_APPOINTMENTS = _appointment_rows(_USER)


def _appointments_with_token() -> ScalarSelect[str]:
    """The same rows for the account holding the session token `token`, as one text:
    loaded with the account itself by the user loader (wijk/__init__.py), so a logged-in
    request reads both in one statement. Each row is its kind (one letter), its id, `:`,
    the length of its target, `:` and the target: read back by counting, never by a
    separator a followed target could hold (remember_appointments)."""
    of_token = select(User.id).where(User.session_token == bindparam("token")).scalar_subquery()
    rows = _appointment_rows(of_token).subquery()
    target = func.coalesce(rows.c.target, "")
    line = (
        rows.c.kind
        + func.coalesce(cast(rows.c.ref, String), "")
        + ":"
        + cast(func.length(target), String)
        + ":"
        + target
    )
    return select(func.aggregate_strings(line, "")).scalar_subquery()


APPOINTMENTS_WITH_TOKEN = _appointments_with_token()


class _Appointments(NamedTuple):
    neighbourhoods: frozenset[int]  # managed
    municipalities: frozenset[int]  # staffed
    items: frozenset[int]  # owned or co-managed
    follows: frozenset[str]  # the targets followed ("neighbourhood:12")


def _appointments(user: Any) -> _Appointments:
    """What every page asks about a logged-in visitor, from one statement per request:
    the neighbourhoods they manage and the municipalities they staff (the nav,
    can_moderate), the items they edit (the page cache) and what they follow. Usually
    read with the account itself (remember_appointments)."""
    if has_request_context():
        cache = request.environ.setdefault("wijk.appointments", {})
        if user.id in cache:
            return cache[user.id]
    rows = db.session.execute(_APPOINTMENTS, {"user_id": user.id}).all()
    found = _appointments_from(rows)
    if has_request_context():
        cache[user.id] = found
    return found


def _appointments_from(rows: Iterable[Sequence[Any]]) -> _Appointments:
    rows = list(rows)
    return _Appointments(
        frozenset(row_id for kind, row_id, _ in rows if kind == "n"),
        frozenset(row_id for kind, row_id, _ in rows if kind == "m"),
        frozenset(row_id for kind, row_id, _ in rows if kind == "i"),
        frozenset(target for kind, _, target in rows if kind == "f"),
    )


def remember_appointments(user: Any, text: str | None) -> None:
    """Keep for this request the appointments the user loader read with the account
    (APPOINTMENTS_WITH_TOKEN's text). A text that does not read back is not kept:
    _appointments then reads the rows on their own."""
    if not has_request_context():
        return
    try:
        rows = list(_rows_of(text or ""))
    except ValueError:
        return
    request.environ.setdefault("wijk.appointments", {})[user.id] = _appointments_from(rows)


def _rows_of(text: str) -> Iterator[tuple[str, int | None, str | None]]:
    at = 0
    while at < len(text):
        kind = text[at]
        ref_end = text.index(":", at + 1)
        size_end = text.index(":", ref_end + 1)
        ref, size = text[at + 1 : ref_end], int(text[ref_end + 1 : size_end])
        target = text[size_end + 1 : size_end + 1 + size]
        if kind not in "nmif" or len(target) != size or (ref and not ref.isascii()):
            raise ValueError(f"unreadable appointments at {at}")
        yield kind, int(ref) if ref else None, target if kind == "f" else None
        at = size_end + 1 + size


def followed_targets(user: Any) -> frozenset[str]:
    """The targets the account follows, as the request began (see _appointments)."""
    if not _is_user(user):
        return frozenset()
    return _appointments(user).follows


def city_neighbourhood_ids(user: Any) -> frozenset[int]:
    """Ids of every neighbourhood in the municipalities the user is staff of."""
    if not staffed_municipality_ids(user):
        return frozenset()

    def load() -> frozenset[int]:
        query = (
            select(Neighbourhood.id)
            .join(
                MunicipalityStaff,
                MunicipalityStaff.municipality_id == Neighbourhood.municipality_id,
            )
            .where(MunicipalityStaff.user_id == user.id)
        )
        return frozenset(db.session.scalars(query))

    return _once_per_request("city_neighbourhood_ids", user, load)


def is_city_staff(user: Any) -> bool:
    """Staff of at least one municipality."""
    return bool(staffed_municipality_ids(user))


# The manager area (issue 4) asks this rule under its own name; it is the same check.
can_manage_neighbourhood = can_moderate


def is_admin(user: Any) -> bool:
    return _is_user(user) and bool(user.is_admin)


def managed_neighbourhood_ids(user: Any) -> frozenset[int]:
    """Ids of the neighbourhoods the user was appointed to manage (not every
    neighbourhood for an admin): one query per request, shared by nav and hooks."""
    if not _is_user(user):
        return frozenset()
    return _appointments(user)[0]


def is_manager(user: Any) -> bool:
    """Manages at least one neighbourhood."""
    return bool(managed_neighbourhood_ids(user))


def needs_mfa(user: Any) -> bool:
    """Managers, city staff and admins must switch on TOTP before their pages open."""
    return is_admin(user) or is_manager(user) or is_city_staff(user)


def has_mfa(user: Any) -> bool:
    return _is_user(user) and user.totp_enabled_at is not None


def can_moderate_item(user: Any, item: Item | int) -> bool:
    """For templates that hold an item view: may the user moderate the item's
    neighbourhood? (The item is usually already in the session's identity map.)"""

    loaded = db.session.get(Item, item) if isinstance(item, int) else item
    return loaded is not None and can_moderate(user, loaded.neighbourhood_id)


def template_helpers() -> dict[str, Any]:
    return {
        "can_post": lambda: can_post(current_user),
        "can_moderate": lambda place: can_moderate(current_user, place),
        "can_moderate_item": lambda item: can_moderate_item(
            current_user, item if isinstance(item, int) else item.id
        ),
        "is_manager": lambda: is_manager(current_user),
        "is_city_staff": lambda: is_city_staff(current_user),
        "can_act_for_city": lambda city: can_act_for_city(current_user, city),
        "is_admin": lambda: is_admin(current_user),
    }


# --- discover / sign-ups ---


def can_see_signups(user: Any, item: Item) -> bool:
    """Who signed up for an activity is seen by its organiser and co-managers only."""
    return can_edit(user, item)
