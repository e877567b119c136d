"""The one-click export: a plain ZIP (deflate, opens everywhere) with data.json, one CSV
per section, the person's picture files and a README that documents every field.

Built synchronously inside the request, in a spooled temporary file (memory up to a
few megabytes, then disk), so it needs no outbox round-trip or download link: the
person gets the file at once, and 1,000 posts take well under a second."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from typing import IO, Any

from flask import render_template

from wijk.models import Item
from wijk.pictures import services as pictures
from wijk.privacy.mydata import SECRET_COLUMNS, MyData, actor_role
from wijk.privacy.serialize import plain, row

FORMAT_VERSION = 1


def _item(item: Item) -> dict[str, Any]:
    return row(item, exclude=("owner_id",))


def sections(data: MyData) -> dict[str, list[dict[str, Any]]]:
    """Each section is a list of flat records; data.json and the CSV files hold the same."""
    user = data.user
    return {
        "consents": [row(c, exclude=("user_id",)) for c in data.consents],
        "newsletter_subscriptions": [
            {**row(s, exclude=("user_id",)), "neighbourhood": s.neighbourhood.name}
            for s in data.subscriptions
        ],
        "items": [_item(item) for item in data.items],
        "co_managed_items": [
            {"id": item.id, "kind": item.kind, "title": item.title} for item in data.co_managed
        ],
        "neighbourhoods_managed": [
            {"neighbourhood": m.neighbourhood.name, "appointed_at": plain(m.appointed_at)}
            for m in data.manages
        ],
        "messages_sent": [
            {
                "id": m.id,
                "created_at": plain(m.created_at),
                "item_title": m.item.title if m.item else None,
                "sender_name": m.sender_name,
                "sender_email": m.sender_email,
                "body": m.body,
                "erased_at": plain(m.erased_at),
            }
            for m in data.relay_sent
        ],
        "messages_received": [
            {
                "id": m.id,
                "created_at": plain(m.created_at),
                "item_title": m.item.title if m.item else None,
                "erased_at": plain(m.erased_at),
            }
            for m in data.relay_received
        ],
        "signups": [
            {
                "id": s.id,
                "activity_title": s.activity.title,
                "name": s.name,
                "email": s.email,
                "status": s.status,
                "created_at": plain(s.created_at),
                "cancelled_at": plain(s.cancelled_at),
            }
            for s in data.signups
        ],
        "invitations_received": [
            {
                "id": i.id,
                "item_title": i.item.title,
                "created_at": plain(i.created_at),
                "accepted_at": plain(i.accepted_at),
            }
            for i in data.invitations
        ],
        "blocked_senders": [{"id": b.id, "created_at": plain(b.created_at)} for b in data.blocked],
        "access_log": [
            {
                "id": e.id,
                "created_at": plain(e.created_at),
                "action": e.action,
                "by": actor_role(e, user),
                "item_title": e.item.title if e.item else None,
                "neighbourhood": e.neighbourhood.name if e.neighbourhood else None,
                "detail": e.detail,
            }
            for e in data.audit
        ],
        "privacy_requests": [row(r, exclude=("user_id",)) for r in data.requests],
        "suspensions": [
            {
                **row(s, exclude=("user_id", "created_by_id", "lifted_by_id")),
                "neighbourhood": s.neighbourhood.name if s.neighbourhood else None,
            }
            for s in data.suspensions
        ],
        "follows": [row(f, exclude=("follower_id",)) for f in data.follows],
        "neighbourhood_requests": [
            row(r, exclude=("user_id", "decided_by_id")) for r in data.neighbourhood_requests
        ],
    }


def account(data: MyData) -> dict[str, Any]:
    record = row(data.user, exclude=SECRET_COLUMNS)
    for name in SECRET_COLUMNS:
        record[f"{name}_set"] = bool(getattr(data.user, name))
    return record


def _csv(records: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    if records:
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]), extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in r.items()} for r in records)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas; quote those."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def build_zip(data: MyData, generated_at: str) -> IO[bytes]:
    """The export as a file object positioned at its start."""
    parts = sections(data)
    record = account(data)
    document = {"format": FORMAT_VERSION, "generated_at": generated_at, "account": record, **parts}
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            render_template("privacy/export_readme.txt", sections=parts, generated_at=generated_at),
        )
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
        archive.writestr("account.csv", _csv([record]))
        for name, records in parts.items():
            archive.writestr(f"{name}.csv", _csv(records))
        for item in data.items:
            for path in pictures.files_of(item.picture_key):
                archive.write(path, f"pictures/item-{item.id}-{path.name.split('-', 1)[1]}")
    spool.seek(0)
    return spool
