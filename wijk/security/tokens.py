"""Signed, expiring tokens for links in e-mail. Nothing secret is stored server-side."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"wijk.{purpose}")


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int | None) -> dict[str, Any] | None:
    """The payload, or None when the token is forged, tampered with or expired."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:
        return None
    return payload if isinstance(payload, dict) else None
