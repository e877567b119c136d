"""Routes for everyone: /privacy, "my data" with export and deletion, re-acceptance of
new terms and the privacy request form. Admin routes are in admin_views."""

from __future__ import annotations

from dataclasses import replace

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from wijk.audit import label as audit_label
from wijk.content import services as content_services
from wijk.extensions import db, limiter
from wijk.forms import add_error
from wijk.legal import documents
from wijk.models import Item
from wijk.models.base import utcnow
from wijk.privacy import (
    bp,
    declarations,
    erasure,
    forms,
    mydata,
    processors,
    services,
    terms,
)
from wijk.privacy.export import build_zip
from wijk.privacy.retention import SCHEDULE
from wijk.security.permissions import can_edit, require
from wijk.security.redirects import safe_next
from wijk.statistics import counting
from wijk.visibility import item_view

bp.before_app_request(terms.require_current_terms)


def statement_body() -> str:
    """The generated statement without what depends on the visitor, in the current
    language; its Dutch text is what /privacy/versies keeps."""
    return render_template(
        "privacy/_statement_body.html",
        sections=declarations.statement_sections(),
        schedule=SCHEDULE,
        controller=declarations.controller(),
        processors=processors.processors(),
        dpo=processors.dpo(),
        backup_retention=processors.backup_retention(),
        counting=counting.privacy_facts(),
    )


@bp.get("/privacy")
def statement():
    body = documents.serve(documents.PRIVACY, current_app.config["PRIVACY_VERSION"], statement_body)
    return render_template("privacy/statement.html", body=body)


@bp.get("/mijn/gegevens")
@login_required
def mine():
    data = mydata.collect(current_user)
    return render_template(
        "privacy/mine.html",
        data=data,
        items=[item_view(item, current_user) for item in data.items],
        co_managed=[item_view(item, current_user) for item in data.co_managed],
        outdated=terms.outdated(current_user),
        versions=terms.current_versions(),
        actor_role=mydata.actor_role,
        audit_label=audit_label,
        request_kinds=services.REQUEST_KINDS,
    )


@bp.post("/mijn/gegevens/zichtbaarheid/<int:item_id>")
@login_required
def toggle(item_id: int):
    """Switch one personal field of a post public or hidden, from the data page."""

    item = db.session.get(Item, item_id)
    if item is None:
        abort(404)
    require(can_edit(current_user, item))
    public = request.form.get("public") == "1"
    try:
        content_services.set_visibility(item, request.form.get("field", ""), public)
    except KeyError:
        abort(400)
    flash(
        _("Saved: this field is now public.") if public else _("Saved: this field is now hidden."),
        "success",
    )
    return redirect(url_for("privacy.mine", _anchor=f"item-{item.id}"))


@bp.post("/mijn/gegevens/export")
@login_required
@limiter.limit("10/hour")
def export():
    now = utcnow()
    archive = build_zip(mydata.collect(current_user), now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"wijk-mijn-gegevens-{now:%Y-%m-%d}.zip",
        max_age=0,
    )


@bp.route("/mijn/gegevens/verwijderen", methods=["GET", "POST"])
@login_required
@limiter.limit("10/hour", methods=["POST"])
def delete_account():
    form = forms.DeleteAccountForm()
    items = erasure.owned_items(current_user)
    previews = {item.id: replace(item_view(item, None), fields=[]) for item in items}
    fates = {item.id: request.form.get(f"fate-{item.id}", erasure.DELETE) for item in items}
    available = erasure.can_delete_accounts()
    if available and form.validate_on_submit():
        if not erasure.check_credentials(current_user, form.password.data, form.totp.data):
            add_error(
                form.password, _("This password (or code) is not right. Nothing has been changed.")
            )
        else:
            erasure.delete_account(current_user._get_current_object(), fates)
            logout_user()
            session.clear()
            return redirect(url_for("privacy.account_deleted"))
    status = 400 if form.errors else (200 if available else 503)
    return render_template(
        "privacy/delete.html",
        form=form,
        items=items,
        previews=previews,
        fates=fates,
        available=available,
        needs_totp=current_user.totp_enabled_at is not None,
    ), status


@bp.get("/account-verwijderd")
def account_deleted():
    return render_template("privacy/deleted.html", contact=current_app.config["CONTROLLER_CONTACT"])


@bp.route("/voorwaarden/opnieuw", methods=["GET", "POST"])
@login_required
def accept_terms():
    next_url = safe_next(request.args.get("next")) or url_for("neighbourhoods.home")
    missing = terms.outdated(current_user)
    if not missing:
        terms.remember_accepted(current_user)
        return redirect(next_url)
    form = forms.AcceptTermsForm()
    if form.validate_on_submit():
        terms.accept(current_user)
        flash(_("Thank you. You can go on."), "success")
        return redirect(next_url)
    status = 400 if form.errors else 200
    return render_template(
        "privacy/accept.html", form=form, missing=missing, versions=terms.current_versions()
    ), status


@bp.route("/privacy/verzoek", methods=["GET", "POST"])
@limiter.limit("5/hour", methods=["POST"])
def request_form():
    form = forms.PrivacyRequestForm()
    if request.method == "GET":
        if request.args.get("kind") in services.REQUEST_KINDS:
            form.kind.data = request.args["kind"]
        if current_user.is_authenticated:
            form.email.data = current_user.email
    if form.validate_on_submit():
        if not form.website.data:  # a filled honeypot gets the same answer, nothing stored
            user = current_user if current_user.is_authenticated else None
            services.create_request(
                form.kind.data,
                form.email.data,
                form.message.data,
                user,
                locale=str(get_locale() or "") or None,
            )
        return render_template("privacy/request_sent.html", due=utcnow() + services.ANSWER_WITHIN)
    status = 400 if form.errors else 200
    return render_template("privacy/request.html", form=form), status
