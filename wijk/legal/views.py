"""/voorwaarden (terms of use), the version history of the terms and the privacy
statement, and /toegankelijkheid (the accessibility statement)."""

from __future__ import annotations

from flask import abort, current_app, render_template, url_for

from wijk.extensions import db
from wijk.legal import accessibility, bp, documents
from wijk.models import PublishedDocument

# The page that shows the current text of each document, and its history.
CURRENT = {documents.TERMS: "legal.terms", documents.PRIVACY: "privacy.statement"}


def terms_body() -> str:
    config = current_app.config
    return render_template(
        "legal/_terms_body.html",
        version=config["TERMS_VERSION"],
        controller_name=config["CONTROLLER_NAME"],
        contact=config["CONTROLLER_CONTACT"],
        minimum_age=config["MINIMUM_AGE"],
    )


@bp.get("/voorwaarden")
def terms():
    version = current_app.config["TERMS_VERSION"]
    body = documents.serve(documents.TERMS, version, terms_body)
    return render_template("legal/terms.html", body=body, version=version)


def _versions(document: str):
    return render_template(
        "legal/versions.html",
        document=document,
        rows=documents.versions(document),
        current_url=url_for(CURRENT[document]),
    )


def _version(document: str, doc_id: int):
    row = db.session.get(PublishedDocument, doc_id)
    if row is None or row.document != document:
        abort(404)
    return render_template(
        "legal/version.html",
        document=document,
        row=row,
        before=documents.previous(row),
        changes=documents.changes(row),
    )


@bp.get("/voorwaarden/versies")
def terms_versions():
    return _versions(documents.TERMS)


@bp.get("/voorwaarden/versies/<int:doc_id>")
def terms_version(doc_id: int):
    return _version(documents.TERMS, doc_id)


@bp.get("/privacy/versies")
def privacy_versions():
    return _versions(documents.PRIVACY)


@bp.get("/privacy/versies/<int:doc_id>")
def privacy_version(doc_id: int):
    return _version(documents.PRIVACY, doc_id)


@bp.get("/toegankelijkheid")
def accessibility_statement():
    config = current_app.config
    status = config["ACCESSIBILITY_STATUS"]
    return render_template(
        "legal/accessibility.html",
        status=accessibility.STATUSES.get(status, status),
        known_issues=list(config["ACCESSIBILITY_KNOWN_ISSUES"]),
        check=accessibility.latest(),
        pages=accessibility.PAGES,
        contact=config["ACCESSIBILITY_CONTACT"] or config["CONTROLLER_CONTACT"],
        controller_name=config["CONTROLLER_NAME"],
    )
