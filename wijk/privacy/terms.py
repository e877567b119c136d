"""Re-acceptance: when TERMS_VERSION or PRIVACY_VERSION changes, a logged-in person
accepts the new versions (box unchecked) before going on. Every acceptance is its own
Consent row, so the history stays."""

from __future__ import annotations

from flask import current_app, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from wijk.extensions import db
from wijk.models import Consent, User
from wijk.models.base import utcnow

DOCUMENTS = ("terms", "privacy")

# Pages that stay open before accepting: leaving, reading what to accept, switching the
# language, and the person's own rights (seeing, exporting and deleting their data must
# not depend on agreeing to new terms).
OPEN_ENDPOINTS = frozenset(
    {
        "static",
        "accounts.logout",
        "neighbourhoods.language",
        "privacy.statement",
        "privacy.accept_terms",
        "privacy.mine",
        "privacy.export",
        "privacy.delete_account",
        "privacy.request_form",
        "privacy.account_deleted",
        "legal.terms",
        "legal.terms_versions",
        "legal.terms_version",
        "legal.privacy_versions",
        "legal.privacy_version",
        "legal.accessibility_statement",
    }
)


def current_versions() -> dict[str, str]:
    config = current_app.config
    return {"terms": str(config["TERMS_VERSION"]), "privacy": str(config["PRIVACY_VERSION"])}


def outdated(user: User) -> list[str]:
    """The documents of which the person accepted an earlier version but not the current
    one. Registration records every document, so only accounts made outside the sign-up
    form (an admin made on the command line, test fixtures) have none to renew."""
    versions = current_versions()
    accepted = set(
        db.session.execute(
            select(Consent.document, Consent.version).where(
                Consent.user_id == user.id,
                Consent.document.in_(DOCUMENTS),
                Consent.withdrawn_at.is_(None),
            )
        )
    )
    documents = {doc for doc, _version in accepted}
    return [doc for doc in DOCUMENTS if doc in documents and (doc, versions[doc]) not in accepted]


def accept(user: User) -> None:
    now = utcnow()
    versions = current_versions()
    for doc in outdated(user):
        db.session.add(
            Consent(user_id=user.id, document=doc, version=versions[doc], accepted_at=now)
        )
    db.session.commit()
    remember_accepted(user)


def _session_mark(user: User) -> str:
    versions = current_versions()
    return f"{user.id}:{versions['terms']}:{versions['privacy']}"


def remember_accepted(user: User) -> None:
    """Checked once per session and version, not on every request."""
    session["wijk_consents"] = _session_mark(user)


def require_current_terms():
    """before_app_request: send a logged-in person with outdated consents to re-accept."""
    if request.endpoint in OPEN_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return None
    if session.get("wijk_consents") == _session_mark(current_user):
        return None
    if not outdated(current_user):
        remember_accepted(current_user)
        return None
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("privacy.accept_terms", next=target), 303)
