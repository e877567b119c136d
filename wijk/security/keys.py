"""Fernet keys from the configuration: a comma-separated list in which the first key
encrypts and every key decrypts, so a key can be rotated without losing old data. The
sealed copies of deleted accounts and the backups both use this."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet


def multi_fernet(keys: str | bytes | None) -> MultiFernet | None:
    """The keys as one MultiFernet, or None when no key is configured. cryptography is
    imported here, by the few requests and commands that seal or open something."""
    from cryptography.fernet import Fernet, MultiFernet  # noqa: PLC0415 (7 MB, rarely)

    if isinstance(keys, bytes):
        keys = keys.decode()
    parts = [k.strip() for k in (keys or "").split(",") if k.strip()]
    return MultiFernet([Fernet(k) for k in parts]) if parts else None
