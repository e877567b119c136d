"""Deleting an account: unpublish at once, seal a copy, erase the rest in the purge.

`delete_account` runs in the request: it seals an encrypted copy (5 years), hides the
posts the person chose to delete, anonymises the ones they chose to keep, withdraws
newsletter opt-ins, queues the confirmation mail and makes login impossible (which also
ends every session, because the session id contains a fingerprint of the password hash).
The `deleted_account` retention rule then removes the account row and everything that
names the person (`erase_traces`) within 48 hours. `restore` is the way back, for the
admin command only."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash

from wijk import ledger
from wijk.audit import record
from wijk.clock import stamp_to_local
from wijk.extensions import db
from wijk.mail import queue_mail
from wijk.models import (
    ITEM_CLASSES,
    BlockedSender,
    Consent,
    Item,
    ItemManager,
    ItemRevision,
    ItemStatus,
    Neighbourhood,
    NewsletterSubscription,
    RecoveryCode,
    SealedAccount,
    User,
)
from wijk.models.base import utcnow
from wijk.privacy.erasers import cleared_contact, erase_mail
from wijk.privacy.serialize import row, unplain
from wijk.security.keys import multi_fernet
from wijk.security.totp import verify_totp
from wijk.signups import notices

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

DELETE, KEEP = "delete", "keep"
UNUSABLE_PASSWORD = "!deleted"  # noqa: S105 (never matches: not a werkzeug hash)
SEALED_YEARS = 5


class SealingUnavailable(Exception):
    """No SEALED_ACCOUNT_KEY is configured (production); deletion must wait for it."""


class RestoreError(Exception):
    """The sealed copy cannot be restored; the message says why."""


# --- the sealed copy --------------------------------------------------------------------


def sealer() -> MultiFernet | None:
    return multi_fernet(current_app.config.get("SEALED_ACCOUNT_KEY"))


def can_delete_accounts() -> bool:
    return sealer() is not None


def unseal(sealed: SealedAccount) -> dict[str, Any]:
    key = sealer()
    if key is None:
        raise RestoreError("SEALED_ACCOUNT_KEY is not configured")
    from cryptography.fernet import InvalidToken  # noqa: PLC0415 (loaded by sealer())

    try:
        return json.loads(key.decrypt(sealed.ciphertext))
    except InvalidToken as error:
        raise RestoreError("the sealed copy does not open with the configured key") from error


def add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def sealed_payload(user: User, items: list[Item], fates: dict[int, str]) -> dict[str, Any]:
    """Everything needed to bring the account back as it was."""

    def rows(model, column) -> list[dict[str, Any]]:
        return [row(obj) for obj in db.session.scalars(select(model).where(column == user.id))]

    return {
        "format": 1,
        "user": row(user),
        "consents": rows(Consent, Consent.user_id),
        "newsletter_subscriptions": rows(NewsletterSubscription, NewsletterSubscription.user_id),
        "blocked_senders": rows(BlockedSender, BlockedSender.user_id),
        "recovery_codes": rows(RecoveryCode, RecoveryCode.user_id),
        "co_managed": [
            m.item_id
            for m in db.session.scalars(select(ItemManager).where(ItemManager.user_id == user.id))
        ],
        "items": [{**row(item), "fate": fates.get(item.id, DELETE)} for item in items],
    }


# --- deleting ---------------------------------------------------------------------------


def owned_items(user: User) -> list[Item]:
    return list(
        db.session.scalars(
            select(Item)
            .where(Item.owner_id == user.id)
            .options(selectinload(Item.co_managers), selectinload(Item.organisation))
            .order_by(Item.created_at.desc(), Item.id.desc())
        )
    )


def check_credentials(user: User, password: str, totp_code: str | None) -> bool:
    """The password, and the current TOTP code when the person switched TOTP on."""
    if not check_password_hash(user.password_hash, password or ""):
        return False
    if user.totp_enabled_at is None:
        return True

    return verify_totp(user, totp_code)


def delete_account(user: User, fates: dict[int, str], now: datetime | None = None) -> None:
    """Unpublish and seal at once, in one transaction; the purge erases the rest."""
    key = sealer()
    if key is None:
        raise SealingUnavailable
    now = now or utcnow()
    items = owned_items(user)
    keep = {item.id for item in items if fates.get(item.id) == KEEP}
    drop = [item.id for item in items if item.id not in keep]
    payload = sealed_payload(user, items, fates)
    db.session.add(
        SealedAccount(
            former_user_id=user.id,
            sealed_at=now,
            purge_after=add_years(now, SEALED_YEARS),
            ciphertext=key.encrypt(json.dumps(payload).encode()),
        )
    )
    if drop:
        notices.tell_called_off(
            [item for item in items if item.id in drop], stamp_to_local(now), by=notices.ORGANISER
        )
        db.session.execute(
            update(Item)
            .where(Item.id.in_(drop))
            .values(status=ItemStatus.HIDDEN)
            .execution_options(synchronize_session=False)
        )
    release_items([item for item in items if item.id in keep], now)
    db.session.execute(
        update(NewsletterSubscription)
        .where(
            NewsletterSubscription.user_id == user.id, NewsletterSubscription.withdrawn_at.is_(None)
        )
        .values(withdrawn_at=now)
    )
    queue_mail(
        "account_deleted",
        user.email,
        "account_deleted",
        locale=user.locale,
        name=user.name,
        kept=len(keep),
        deleted=len(drop),
        contact=current_app.config["CONTROLLER_CONTACT"],
    )
    ledger.note(
        ledger.ACCOUNT, user.id, fates={str(item.id): fates.get(item.id, DELETE) for item in items}
    )
    user.deleted_at = now
    user.end_sessions()  # every session and remember cookie, on every device
    user.password_hash = UNUSABLE_PASSWORD
    user.totp_secret = None
    db.session.commit()


def release_items(kept: list[Item], now: datetime) -> None:
    """The posts a leaving person chose to keep: without owner, contact details and
    the revisions that still hold them."""
    if not kept:
        return
    ids = [item.id for item in kept]
    erase_mail(
        {i.contact_email for i in kept if i.contact_email},
        {i.contact_name for i in kept if i.contact_name},
        now,
    )
    db.session.execute(
        update(Item)
        .where(Item.id.in_(ids))
        .values(owner_id=None, **cleared_contact())
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(ItemRevision).where(ItemRevision.item_id.in_(ids)))


# --- restoring --------------------------------------------------------------------------


def find_sealed(email: str) -> list[SealedAccount]:
    """Sealed copies of an address; each must be decrypted to know, so this is for the
    admin command only."""
    found = []
    for sealed in db.session.scalars(select(SealedAccount).order_by(SealedAccount.id)):
        if unseal(sealed)["user"]["email"].lower() == email.strip().lower():
            found.append(sealed)
    return found


def restore(sealed: SealedAccount) -> User:
    """Bring the account back as it was before deletion: login, consents, opt-ins,
    blocks and posts (anonymised ones are given back; deleted ones come back hidden for
    the person to review). Admin rights and manager roles are not restored: an admin
    grants those again. The sealed copy is removed, its job done."""

    data = unseal(sealed)
    saved = data["user"]
    user = db.session.get(User, saved["id"])
    if user is not None and (user.deleted_at is None or user.email != saved["email"]):
        user = None  # the id belongs to someone else now
    others = select(User.id).where(func.lower(User.email) == saved["email"].lower())
    if user is not None:
        others = others.where(User.id != user.id)
    if db.session.scalar(others) is not None:
        raise RestoreError(f"another account uses {saved['email']} now")
    if user is None:
        user = User(**unplain(User, saved, exclude=("id", "deleted_at", "is_admin")))
        db.session.add(user)
        db.session.flush()
        for model, key in (
            (Consent, "consents"),
            (BlockedSender, "blocked_senders"),
            (RecoveryCode, "recovery_codes"),
        ):
            for values in data.get(key, []):
                db.session.add(
                    model(**{**unplain(model, values, exclude=("id",)), "user_id": user.id})
                )
    else:
        for name, value in unplain(User, saved, exclude=("id", "is_admin")).items():
            setattr(user, name, value)
        user.deleted_at = None
        ledger.forget(ledger.ACCOUNT, user.id)
    user.end_sessions()  # a cookie from before the deletion does not come back with it
    for values in data.get("newsletter_subscriptions", []):
        if values.get("withdrawn_at") is None:  # active before deletion: active again
            db.session.add(
                NewsletterSubscription(
                    **{
                        **unplain(NewsletterSubscription, values, exclude=("id", "withdrawn_at")),
                        "user_id": user.id,
                        "source": "restore",
                    }
                )
            )
    _restore_items(user, data.get("items", []))
    for item_id in data.get("co_managed", []):
        if (
            db.session.get(Item, item_id) is not None
            and db.session.get(ItemManager, (item_id, user.id)) is None
        ):
            db.session.add(ItemManager(item_id=item_id, user_id=user.id))
    record(
        None,
        "account.restored",
        subject=user.id,
        detail=f"sealed copy {sealed.id} of account {sealed.former_user_id}",
    )
    db.session.delete(sealed)
    db.session.commit()
    return user


def _restore_items(user: User, items: list[dict[str, Any]]) -> None:
    for values in items:
        item = db.session.get(Item, values["id"])
        fields = unplain(Item, values, exclude=("id", "owner_id", "kind"))
        if item is not None:
            if item.owner_id not in (None, values["owner_id"]):
                continue
            for name, value in fields.items():
                setattr(item, name, value)
            item.owner_id = user.id
        elif db.session.get(Neighbourhood, values["neighbourhood_id"]) is not None:
            model = ITEM_CLASSES.get(values["kind"])
            if model is None:
                continue
            if (
                fields.get("organisation_id")
                and db.session.get(Item, fields["organisation_id"]) is None
            ):
                fields["organisation_id"] = None
            fields.update(owner_id=user.id, status=ItemStatus.HIDDEN, picture_key=None)
            db.session.add(model(**fields))
    db.session.flush()
