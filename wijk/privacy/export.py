"""The one-click export: a plain ZIP (deflate, opens everywhere) with data.json, one CSV
per section, the person's picture files and a README that documents every field, in the
person's own language.

The CSV files are for spreadsheets as people have them here: UTF-8 with a byte-order
mark and `;` between fields, which is what Dutch Excel expects (it reads a comma file
without a BOM as one column of garbled text). Records name neighbourhoods, organisations
and categories in words, and give a post's description as plain text beside its HTML.

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
from flask_babel import force_locale

from wijk.contact.aliases import address_of
from wijk.content import categories
from wijk.follows.services import label as follow_label
from wijk.mail import recipient_locale
from wijk.models import Item, ItemCategory
from wijk.pictures import services as pictures
from wijk.privacy.mydata import SECRET_COLUMNS, MyData, actor_role
from wijk.privacy.serialize import plain, row
from wijk.sanitize import readable_text

FORMAT_VERSION = 2
# Dutch Excel (and LibreOffice in a Dutch locale) splits on the semicolon; the README in
# the ZIP says so, for anyone importing the files elsewhere.
CSV_SEPARATOR = ";"
BOM = "\ufeff"


def _item(item: Item, codes: tuple[str, ...]) -> dict[str, Any]:
    record = row(item, exclude=("owner_id", "neighbourhood_id", "organisation_id"))
    record["description_text"] = readable_text(item.description)
    return {
        "id": record.pop("id"),
        "kind": record.pop("kind"),
        "title": record.pop("title"),
        "neighbourhood": item.neighbourhood.name,
        "organisation": item.organisation.title if item.organisation else None,
        "categories": ", ".join(categories.label(code) for code in codes),
        "category_codes": ",".join(codes),
        **record,
    }


def sections(data: MyData) -> dict[str, list[dict[str, Any]]]:
    """Each section is a list of flat records; data.json and the CSV files hold the same."""
    user = data.user
    codes = ItemCategory.codes_by_item([item.id for item in data.items])
    return {
        "consents": [row(c, exclude=("user_id",)) for c in data.consents],
        "newsletter_subscriptions": [
            {
                **row(s, exclude=("user_id", "neighbourhood_id", "municipality_id")),
                "neighbourhood": s.neighbourhood.name if s.neighbourhood else None,
                "municipality": s.municipality.name if s.municipality else None,
            }
            for s in data.subscriptions
        ],
        "items": [_item(item, tuple(codes.get(item.id, ()))) for item in data.items],
        "co_managed_items": [
            {
                "id": item.id,
                "kind": item.kind,
                "title": item.title,
                "neighbourhood": item.neighbourhood.name,
            }
            for item in data.co_managed
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
                **row(s, exclude=("user_id", "created_by_id", "lifted_by_id", "neighbourhood_id")),
                "neighbourhood": s.neighbourhood.name if s.neighbourhood else None,
            }
            for s in data.suspensions
        ],
        "follows": [
            {"following": follow_label(f.target), **row(f, exclude=("follower_id",))}
            for f in data.follows
        ],
        "help_questions": [
            row(h, exclude=("user_id", "conversation_id")) for h in data.help_requests
        ],
        "relay_aliases": [
            {
                "alias": address_of(a),
                "side": str(a.side),
                "item_title": a.conversation.item.title if a.conversation.item else None,
                "name_shown": a.display_name,
                "expires_at": plain(a.expires_at),
                "blocked": a.blocked,
            }
            for a in data.aliases
        ],
        "neighbourhood_requests": [
            row(r, exclude=("user_id", "decided_by_id")) for r in data.neighbourhood_requests
        ],
    }


def account(data: MyData) -> dict[str, Any]:
    record = row(data.user, exclude=SECRET_COLUMNS)
    for name in SECRET_COLUMNS:
        record[f"{name}_set"] = bool(getattr(data.user, name))
    return record


def _csv(records: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a BOM, `;`-separated, CRLF: what a spreadsheet opens in one click."""
    buffer = io.StringIO()
    buffer.write(BOM)
    if records:
        writer = csv.DictWriter(
            buffer, fieldnames=list(records[0]), extrasaction="ignore", delimiter=CSV_SEPARATOR
        )
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in r.items()} for r in records)
    return buffer.getvalue().encode("utf-8")


def _cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas; quote those."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def build_zip(data: MyData, generated_at: str) -> IO[bytes]:
    """The export as a file object positioned at its start; words (categories, the
    README) in the person's language, whatever language the page was in."""
    with force_locale(recipient_locale(data.user.locale)):
        return _build_zip(data, generated_at)


def _build_zip(data: MyData, generated_at: str) -> IO[bytes]:
    parts = sections(data)
    record = account(data)
    document = {"format": FORMAT_VERSION, "generated_at": generated_at, "account": record, **parts}
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            render_template(
                "privacy/export_readme.txt",
                sections=parts,
                generated_at=generated_at,
                separator=CSV_SEPARATOR,
            ).replace("\n", "\r\n"),
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
