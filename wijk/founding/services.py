"""Starting a neighbourhood: a verified resident asks for one for postcodes nobody covers
yet; an admin approves (the neighbourhood is made, in the chosen municipality, with the
requester as its first manager) or declines with a reason. Every step is audited on the
requester and mailed to them through the outbox; the caller's transaction holds both."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import select

from wijk import audit
from wijk.extensions import db
from wijk.mail import queue_mail
from wijk.models import (
    Municipality,
    Neighbourhood,
    NeighbourhoodManager,
    NeighbourhoodPostcode,
    NeighbourhoodRequest,
    RequestStatus,
    User,
)

POSTCODE = re.compile(r"^[1-9]\d{3}$")
MAX_POSTCODES = 20


class RequestError(Exception):
    """The rules refuse the request; `field` names the form field, `code` the reason and
    `values` what the message needs."""

    def __init__(self, field: str, code: str, **values: str) -> None:
        super().__init__(code)
        self.field, self.code, self.values = field, code, values


def parse_postcodes(text: str | None) -> list[str]:
    """'3531, 3532 3533AB' -> ['3531', '3532', '3533']: four digits each (letters after
    them are dropped); anything else raises RequestError naming the entries."""
    parts = [p for p in re.split(r"[\s,;]+", (text or "").upper()) if p]
    codes: list[str] = []
    bad: list[str] = []
    for n, part in enumerate(parts):
        if re.fullmatch(r"[A-Z]{2}", part) and n and POSTCODE.match(parts[n - 1]):
            continue  # the letters of '3533 AB'
        code = part[:4] if re.fullmatch(r"\d{4}[A-Z]{2}", part) else part
        (codes if POSTCODE.match(code) else bad).append(code)
    if bad:
        raise RequestError("postcodes", "format", codes=", ".join(bad[:10]))
    if not codes:
        raise RequestError("postcodes", "empty")
    unique = sorted(set(codes))
    if len(unique) > MAX_POSTCODES:
        raise RequestError("postcodes", "many", maximum=str(MAX_POSTCODES))
    return unique


def covered(codes: list[str]) -> dict[str, str]:
    """postcode -> name of the neighbourhood that already covers it."""
    rows = db.session.execute(
        select(NeighbourhoodPostcode.postcode, Neighbourhood.name)
        .join(Neighbourhood, Neighbourhood.id == NeighbourhoodPostcode.neighbourhood_id)
        .where(NeighbourhoodPostcode.postcode.in_(codes))
        .order_by(NeighbourhoodPostcode.postcode)
    )
    return {code: name for code, name in rows}


def requested(codes: list[str], excluding: int | None = None) -> list[str]:
    """The postcodes of `codes` already part of an open request (not `excluding`)."""
    query = select(NeighbourhoodRequest.id, NeighbourhoodRequest.postcodes).where(
        NeighbourhoodRequest.status == RequestStatus.OPEN
    )
    if excluding is not None:
        query = query.where(NeighbourhoodRequest.id != excluding)
    wanted = set(codes)
    found: set[str] = set()
    for _id, postcodes in db.session.execute(query):
        found |= wanted & set(postcodes.split())
    return sorted(found)


def check_free(codes: list[str], excluding: int | None = None) -> None:
    """Refuse postcodes a neighbourhood covers or an open request already asks for."""
    taken = covered(codes)
    if taken:
        listing = ", ".join(f"{code} ({name})" for code, name in taken.items())
        raise RequestError("postcodes", "covered", codes=listing)
    pending = requested(codes, excluding)
    if pending:
        raise RequestError("postcodes", "requested", codes=", ".join(pending))


def requests_of(user: User) -> list[NeighbourhoodRequest]:
    return list(
        db.session.scalars(
            select(NeighbourhoodRequest)
            .where(NeighbourhoodRequest.user_id == user.id)
            .order_by(NeighbourhoodRequest.created_at.desc(), NeighbourhoodRequest.id.desc())
        )
    )


def open_request_of(user: User) -> NeighbourhoodRequest | None:
    return next((r for r in requests_of(user) if r.is_open), None)


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def submit(
    user: User, *, name: str, municipality: str, postcodes: str, motivation: str, now: datetime
) -> NeighbourhoodRequest:
    """Record the request (one open request per person) and confirm it by mail."""
    if open_request_of(user) is not None:
        raise RequestError("name", "open")
    codes = parse_postcodes(postcodes)
    check_free(codes)
    request = NeighbourhoodRequest(
        user_id=user.id,
        name=one_line(name),
        municipality_name=one_line(municipality),
        postcodes=" ".join(codes),
        motivation=motivation.strip(),
        status=RequestStatus.OPEN,
        created_at=now,
    )
    db.session.add(request)
    db.session.flush()
    audit.record(user, "neighbourhood_request.made", subject=user, detail=request.name)
    _mail(request, "neighbourhood_request_received")
    db.session.commit()
    return request


def _mail(request: NeighbourhoodRequest, template: str, **values: Any) -> None:
    user = request.user
    queue_mail(
        template,
        user.email,
        template,
        locale=user.locale,
        user=user,
        ask=request,
        link=url_for("founding.start", _external=True),
        **values,
    )


# --- admins -----------------------------------------------------------------------------


def all_requests() -> list[NeighbourhoodRequest]:
    """Open requests first (oldest first), then decided ones (newest first)."""
    requests = list(
        db.session.scalars(
            select(NeighbourhoodRequest).order_by(
                NeighbourhoodRequest.created_at, NeighbourhoodRequest.id
            )
        )
    )
    waiting = [r for r in requests if r.is_open]
    decided = sorted(
        (r for r in requests if not r.is_open),
        key=lambda r: (r.decided_at or r.created_at, r.id),
        reverse=True,
    )
    return waiting + decided


def read(actor: User, request: NeighbourhoodRequest) -> None:
    """An admin reads the request: the requester sees that on their data page."""
    audit.record(actor, "neighbourhood_request.viewed", subject=request.user_id)
    db.session.commit()


def slug_taken(slug: str) -> bool:
    return db.session.scalar(select(Neighbourhood.id).where(Neighbourhood.slug == slug)) is not None


def approve(
    actor: User,
    request: NeighbourhoodRequest,
    *,
    name: str,
    slug: str,
    municipality: str,
    postcodes: str,
    now: datetime,
) -> Neighbourhood:
    """Make the neighbourhood and appoint the requester its first manager. The manager
    pages open once they switch on two-step login (needs_mfa); the mail says so."""
    if not request.is_open:
        raise RequestError("name", "decided")
    if request.user.deleted_at is not None or not request.user.is_verified:
        raise RequestError("name", "gone")
    if slug_taken(slug):
        raise RequestError("slug", "slug")
    codes = parse_postcodes(postcodes)
    check_free(codes, excluding=request.id)
    place = Neighbourhood(
        name=one_line(name),
        slug=slug,
        municipality=Municipality.named(one_line(municipality)),
        postcodes=[NeighbourhoodPostcode(postcode=code) for code in codes],
    )
    db.session.add(place)
    db.session.flush()
    db.session.add(
        NeighbourhoodManager(
            neighbourhood_id=place.id, user_id=request.user_id, appointed_by_id=actor.id
        )
    )
    request.status = RequestStatus.APPROVED
    request.decided_at = now
    request.decided_by_id = actor.id
    request.neighbourhood_id = place.id
    audit.record(
        actor,
        "neighbourhood.created",
        neighbourhood=place,
        detail=f"{place.name} ({', '.join(codes)})",
    )
    audit.record(
        actor, "neighbourhood_request.approved", subject=request.user_id, neighbourhood=place
    )
    audit.record(actor, "manager.appointed", subject=request.user_id, neighbourhood=place)
    _mail(
        request,
        "neighbourhood_request_approved",
        neighbourhood=place.name,
        manage_link=url_for("manage.queue", slug=place.slug, _external=True),
        mfa_link=url_for("accounts.mfa_setup", _external=True),
        needs_mfa=request.user.totp_enabled_at is None,
    )
    db.session.commit()
    return place


def decline(actor: User, request: NeighbourhoodRequest, reason: str, now: datetime) -> None:
    if not request.is_open:
        raise RequestError("reason", "decided")
    request.status = RequestStatus.DECLINED
    request.decided_at = now
    request.decided_by_id = actor.id
    request.decline_reason = reason.strip()
    audit.record(actor, "neighbourhood_request.declined", subject=request.user_id)
    _mail(request, "neighbourhood_request_declined")
    db.session.commit()
