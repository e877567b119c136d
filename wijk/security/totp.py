"""Two-step login with TOTP (RFC 6238, via pyotp) and one-time recovery codes.

The secret is stored on the account while setup is pending (`totp_enabled_at` empty)
and becomes active only after the person typed a valid code. Recovery codes carry
80 random bits, so a plain SHA-256 of each is enough to store them safely. The QR code
is drawn on the server (segno, SVG data URI): no external service sees the secret."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from typing import Any

import pyotp
from flask import current_app, session
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from wijk import audit
from wijk.extensions import changed_rows, db
from wijk.models import RecoveryCode, User
from wijk.models.base import utcnow

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols: 5 bits each
PENDING_KEY = "mfa_pending"
PENDING_MAX_AGE = 600  # seconds between the password step and the code step


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    issuer = current_app.config.get("SITE_NAME", "Wijk")
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """An SVG QR code as a data: URI (allowed by the CSP's img-src), drawn here; segno
    is imported by the setup page alone."""
    import segno  # noqa: PLC0415

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _digits(code: str | None) -> str:
    return re.sub(r"\s+", "", code or "")


def matching_step(secret: str | None, code: str | None, now: float) -> int | None:
    """The 30-second step whose six-digit code `code` is: the current one or one either
    side (clocks drift). None when it matches none of them."""
    code = _digits(code)
    if not secret or not re.fullmatch(r"\d{6}", code):
        return None
    generator = pyotp.TOTP(secret)
    current = int(now // generator.interval)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(generator.generate_otp(step), code):
            return step
    return None


def verify_totp(user: User, code: str | None, now: float | None = None) -> bool:
    """A valid code of the person's secret that was not accepted before: the step is
    recorded with a conditional UPDATE, so a code (or an older one) works once, even when
    two requests race with it. The caller commits."""
    step = matching_step(user.totp_secret, code, time.time() if now is None else now)
    if step is None:
        return False
    recorded = changed_rows(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if recorded != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def _normalise_recovery(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (code or "").upper())


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def begin_setup(user: User) -> str:
    """The pending secret, made once so a reload shows the same QR code."""
    if user.totp_secret is None or user.totp_enabled_at is not None:
        user.totp_secret = new_secret()
        user.totp_enabled_at = None
        db.session.commit()
    return user.totp_secret


def renew_recovery_codes(user: User) -> list[str]:
    """Replace every recovery code; the plain codes are shown once and never stored."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    return codes


def enable(user: User, code: str) -> list[str] | None:
    """Switch TOTP on when `code` matches the pending secret; returns the recovery codes."""
    if user.totp_enabled_at is not None or not verify_totp(user, code):
        return None
    user.totp_enabled_at = utcnow()
    user.end_sessions()  # sessions opened with the password alone end; the caller logs in again
    codes = renew_recovery_codes(user)
    audit.record(user, "mfa.enabled", subject=user)
    db.session.commit()
    return codes


def renew(user: User, code: str) -> list[str] | None:
    if not is_enabled(user) or not verify_totp(user, code):
        return None
    codes = renew_recovery_codes(user)
    audit.record(user, "mfa.recovery_renewed", subject=user)
    db.session.commit()
    return codes


def disable(user: User, code: str) -> bool:
    """Switch TOTP off; needs a current code (or a recovery code)."""
    if not is_enabled(user) or not check_second_factor(user, code, commit=False):
        return False
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(user, "mfa.disabled", subject=user)
    db.session.commit()
    return True


def is_enabled(user: Any) -> bool:
    return getattr(user, "totp_enabled_at", None) is not None


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one recovery code. The conditional UPDATE makes a code work once, even when
    two requests race with it."""
    if len(_normalise_recovery(code)) != 16:
        return False
    row_id = db.session.scalar(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row_id is None:
        return False
    return (
        changed_rows(
            update(RecoveryCode)
            .where(RecoveryCode.id == row_id, RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        == 1
    )


def check_second_factor(user: User, code: str, *, commit: bool = True) -> bool:
    """A TOTP code not used before, or else an unused recovery code (which is then spent)."""
    if verify_totp(user, code):
        if commit:
            db.session.commit()
        return True
    spent = use_recovery_code(user, code)
    if spent and commit:
        db.session.commit()
    return spent


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


# --- the second login step ------------------------------------------------------------


def start_second_step(user: User, *, remember: bool, next_url: str | None) -> None:
    """Remember, in the signed session, who passed the password step; not logged in yet.
    The account fingerprint makes the step void when the password changes meanwhile."""
    session[PENDING_KEY] = {
        "uid": user.id,
        "fp": user.get_id(),
        "remember": bool(remember),
        "next": next_url,
        "at": int(time.time()),
    }


def pending_user() -> tuple[User, dict] | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, pending.get("uid"))
    if user is None or user.get_id() != pending.get("fp") or not is_enabled(user):
        session.pop(PENDING_KEY, None)
        return None
    return user, pending


def clear_pending() -> None:
    session.pop(PENDING_KEY, None)
