"""Admin routes: the processing register, privacy requests and data breaches. All of
them need an admin with two-step login on (`admin_required`)."""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wijk.audit import record
from wijk.clock import local_to_stamp
from wijk.extensions import db
from wijk.models import Breach, PrivacyRequest
from wijk.models.base import utcnow
from wijk.privacy import bp, declarations, forms, processors, services
from wijk.security.decorators import admin_required


def register_headings() -> dict[str, str]:
    return {
        "category": _("Category"),
        "purpose": _("Purpose"),
        "basis": _("Legal basis"),
        "data": _("Personal data"),
        "tables": _("Tables"),
        "recipients": _("Who sees it"),
        "retention": _("How long"),
    }


@bp.get("/privacy/beheer/register")
@admin_required
def register():
    return render_template(
        "privacy/admin_register.html",
        rows=declarations.register_rows(),
        headings=register_headings(),
        controller=declarations.controller(),
        extra=processors.register_lines(),
    )


@bp.get("/privacy/beheer/register.<any(csv, md):fmt>")
@admin_required
def register_download(fmt: str):
    if fmt == "csv":
        body, mimetype = declarations.register_csv(), "text/csv"
    else:
        controller = declarations.controller()
        body = declarations.register_markdown(
            register_headings(),
            _("Processing register (GDPR art. 30)"),
            _(
                "Controller: %(name)s, %(contact)s. Generated from the privacy declarations "
                "in the code on %(date)s.",
                name=controller["name"],
                contact=controller["contact"],
                date=utcnow().date().isoformat(),
            ),
        )
        mimetype = "text/markdown"
    return Response(
        body,
        mimetype=f"{mimetype}; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename=verwerkingsregister.{fmt}"},
    )


@bp.get("/privacy/beheer/verzoeken")
@admin_required
def requests():
    now = utcnow()
    return render_template(
        "privacy/admin_requests.html",
        requests=services.open_requests_first(),
        now=now,
        overdue=services.is_overdue,
        kinds=services.REQUEST_KINDS,
    )


@bp.route("/privacy/beheer/verzoeken/<int:request_id>", methods=["GET", "POST"])
@admin_required
def request_detail(request_id: int):
    privacy_request = db.session.get(PrivacyRequest, request_id) or abort(404)
    form = forms.AnswerForm()
    if privacy_request.answered_at is None and form.validate_on_submit():
        services.answer_request(privacy_request, form.answer.data or "", current_user)
        flash(_("The answer has been recorded and is being e-mailed."), "success")
        return redirect(url_for("privacy.requests"))
    if not form.errors:
        record(
            current_user,
            "privacy_request.viewed",
            subject=privacy_request.user_id,
            detail=f"request {privacy_request.id}",
        )
        db.session.commit()
    status = 400 if form.errors else 200
    return render_template(
        "privacy/admin_request.html",
        request_=privacy_request,
        form=form,
        overdue=services.is_overdue(privacy_request),
        kinds=services.REQUEST_KINDS,
    ), status


def _utc(local: datetime | None) -> datetime | None:
    """A wall-clock time typed in the site's zone, as a UTC stamp for storage."""
    return local_to_stamp(local) if local is not None else None


@bp.route("/privacy/beheer/datalekken", methods=["GET", "POST"])
@admin_required
def breaches():
    form = forms.BreachForm()
    if form.validate_on_submit():
        breach = services.record_breach(
            current_user,
            form.description.data,
            form.data_categories.data,
            _utc(form.occurred_at.data),
            _utc(form.discovered_at.data),
        )
        flash(
            _(
                "The breach has been recorded. Report it to the authority within 72 hours "
                "of its discovery."
            ),
            "success",
        )
        return redirect(url_for("privacy.breach", breach_id=breach.id))
    listed = list(db.session.scalars(db.select(Breach).order_by(Breach.discovered_at.desc())))
    status = 400 if form.errors else 200
    return render_template(
        "privacy/admin_breaches.html", form=form, breaches=listed, hours_left=services.hours_left
    ), status


@bp.get("/privacy/beheer/datalekken/<int:breach_id>")
@admin_required
def breach(breach_id: int):
    found = db.session.get(Breach, breach_id) or abort(404)
    return render_template(
        "privacy/admin_breach.html", breach=found, hours_left=services.hours_left(found)
    )


@bp.post("/privacy/beheer/datalekken/<int:breach_id>/gemeld")
@admin_required
def breach_reported(breach_id: int):
    found = db.session.get(Breach, breach_id) or abort(404)
    services.mark_reported(found)
    flash(_("Recorded: reported to the authority."), "success")
    return redirect(url_for("privacy.breach", breach_id=found.id))


@bp.post("/privacy/beheer/datalekken/<int:breach_id>/informeren")
@admin_required
def breach_notify(breach_id: int):
    found = db.session.get(Breach, breach_id) or abort(404)
    count = services.notify_account_holders(found)
    if count:
        flash(_("A notice is queued for %(count)d account holders.", count=count), "success")
    else:
        flash(_("Account holders were already notified of this breach."), "info")
    return redirect(url_for("privacy.breach", breach_id=found.id))
