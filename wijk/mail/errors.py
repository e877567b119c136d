"""What can go wrong delivering a message, and how each failure is told apart: the
transport is down (wait, count nothing), the message can never go (fail now), or the
attempt failed (count it and back off)."""

from __future__ import annotations

import smtplib

# Error texts are stored in `last_error` and shown to admins; keep them readable.
MAX_ERROR_LENGTH = 1000


class TransportUnavailable(Exception):
    """The SMTP relay or the mail directory cannot be used right now; retry later."""


class PermanentError(Exception):
    """A message that can never be delivered as it is (bad header, 5xx refusal)."""


def describe(exc: BaseException) -> str:
    """A short error text without the recipient address (SMTP errors list it)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = sorted({f"{code} {_text(reply)}" for code, reply in exc.recipients.values()})
        text = "recipient refused: " + "; ".join(replies)
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"{type(exc).__name__}: {exc.smtp_code} {_text(exc.smtp_error)}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_LENGTH]


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def is_permanent(exc: smtplib.SMTPException) -> bool:
    """5xx replies about this message (unknown recipient, content refused) will not change
    on retry; a refused sender is a relay setting, so it is retried like a 4xx."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _reply in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


def breaks_connection(exc: BaseException) -> bool:
    """Errors after which the SMTP session is gone, so the rest of the batch must wait."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # smtplib closes the session itself when RCPT is answered with 421.
        return any(code == 421 for code, _reply in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)
