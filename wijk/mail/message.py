"""The e-mail for one outbox row: headers, a stable Message-ID, a text body with an HTML
alternative. Built with Flask-Mail; `_Message` is the one place that overrides it."""

from __future__ import annotations

import email.policy
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.mime.text import MIMEText
from email.utils import parseaddr
from typing import Any

import flask_mail
from flask import current_app

from wijk.mail.errors import PermanentError, TransportUnavailable
from wijk.models.outbox import OutboxMessage

# Headers the worker sets itself; the `headers` JSON may not override them.
_MANAGED_HEADERS = frozenset(
    {
        "bcc",
        "cc",
        "content-transfer-encoding",
        "content-type",
        "date",
        "from",
        "message-id",
        "mime-version",
        "reply-to",
        "return-path",
        "sender",
        "subject",
        "to",
    }
)
# RFC 5322 field names: printable US-ASCII except the colon.
_FIELD_NAME = re.compile(r"^[!-9;-~]{1,76}$")


@dataclass(frozen=True)
class Outgoing:
    """A plain copy of a claimed row, so delivery never lazy-loads expired ORM state."""

    id: int
    to_addr: str
    from_addr: str | None
    reply_to: str | None
    subject: str
    body_text: str | None
    body_html: str | None
    headers: dict[str, Any]
    attempts: int
    created_at: datetime
    attachments: tuple[dict[str, str], ...] = ()

    @classmethod
    def of(cls, row: OutboxMessage) -> Outgoing:
        return cls(
            id=row.id,
            to_addr=row.to_addr,
            from_addr=row.from_addr,
            reply_to=row.reply_to,
            subject=row.subject,
            body_text=row.body_text,
            body_html=row.body_html,
            headers=dict(row.headers or {}),
            attempts=row.attempts,
            created_at=row.created_at,
            attachments=tuple(dict(a) for a in row.attachments or ()),
        )


def sender() -> str:
    """MAIL_DEFAULT_SENDER as one address string. Without it no mail can go out, which is
    a setting to fix rather than the message's fault."""
    value = current_app.config.get("MAIL_DEFAULT_SENDER")
    if isinstance(value, (tuple, list)):
        value = f"{value[0]} <{value[1]}>"
    if not value:
        raise TransportUnavailable("MAIL_DEFAULT_SENDER is not set")
    return str(value)


def message_id_for(message_id: int, created_at: datetime) -> str:
    """A Message-ID that is stable per row (a repeated delivery can be recognised as the
    same mail) but keyed, so it does not reveal how many mails the site sends."""
    domain = parseaddr(sender())[1].rpartition("@")[2] or "wijk.localhost"
    key = current_app.config["SECRET_KEY"].encode()
    token = hmac.new(key, f"outbox:{message_id}:{created_at.isoformat()}".encode(), hashlib.sha256)
    return f"<{token.hexdigest()[:32]}@{domain}>"


def _extra_headers(headers: dict[str, Any]) -> dict[str, str]:
    """Validate the row's extra headers: no CR/LF (header injection), no overriding the
    headers the worker owns; non-ASCII values are RFC 2047 encoded."""
    result: dict[str, str] = {}
    for name, raw in headers.items():
        value = str(raw)
        if not _FIELD_NAME.match(name) or name.lower() in _MANAGED_HEADERS:
            raise PermanentError(f"header {name!r} may not be set by the outbox")
        if "\r" in value or "\n" in value:
            raise PermanentError(f"header {name!r} contains a line break")
        if not value.isascii():
            value = Header(value, "utf-8").encode()
        result[name] = value
    return result


_WIRE = email.policy.compat32.clone(linesep="\r\n")


def _quoted_printable_utf8() -> Charset:
    charset = Charset("utf-8")
    charset.body_encoding = QP
    return charset


class _Message(flask_mail.Message):
    """The one override of Flask-Mail, for what its public API cannot do.

    Bodies: Flask-Mail registers utf-8 without a body encoding, so a long line (a
    newsletter paragraph of HTML) goes out as-is and strict servers refuse it (RFC 5321:
    at most 998 characters). Quoted-printable keeps every line short and any text intact.
    """

    def _mimetext(self, text: str | None, subtype: str = "plain") -> MIMEText:
        # typeshed allows only a charset name; MIMEText takes a Charset too (set_payload).
        return MIMEText(text or "", _subtype=subtype, _charset=_quoted_printable_utf8())  # type: ignore[arg-type]

    def as_bytes(self) -> bytes:
        """Serialise with the compat32 policy: the headers are already encoded, and the
        SMTP policy Flask-Mail sets re-parses every header of every message, which made
        serialising cost more than sending."""
        message = self._message()
        message.policy = _WIRE
        return message.as_bytes()


# What an attachment may be: a calendar file today. A name is plain, so a header cannot be
# forged through it.
_ATTACHMENT_TYPES = frozenset({"text/calendar"})
_FILENAME = re.compile(r"^[\w.-]{1,80}$")


def _attach(message: flask_mail.Message, attachment: dict[str, str]) -> None:
    filename, mimetype = attachment.get("filename", ""), attachment.get("mimetype", "")
    if not _FILENAME.match(filename) or mimetype not in _ATTACHMENT_TYPES:
        raise PermanentError(f"attachment {filename!r} ({mimetype}) may not be sent")
    message.attach(
        filename, f"{mimetype}; charset=utf-8", attachment.get("content", "").encode(), "attachment"
    )


def build(out: Outgoing) -> flask_mail.Message:
    """The e-mail for one row: text with an HTML alternative when there is one."""
    if not out.to_addr or "@" not in out.to_addr:
        raise PermanentError("no valid recipient address")
    message = _Message(
        subject=out.subject,
        recipients=[out.to_addr],
        body=out.body_text or "",
        html=out.body_html or None,
        sender=out.from_addr or sender(),
        reply_to=out.reply_to or None,
        extra_headers=_extra_headers(out.headers) or None,
        date=time.time(),
    )
    message.msgId = message_id_for(out.id, out.created_at)
    for attachment in out.attachments:
        _attach(message, attachment)
    if message.has_bad_headers():
        raise PermanentError("line break in an address or the subject")
    return message
