"""/admin/wijkaanvragen: admins read, approve (with an editable name, web address,
municipality and postcodes) or decline the requests to start a neighbourhood."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wijk.clock import utcnow
from wijk.extensions import db
from wijk.forms import add_error
from wijk.founding import bp, forms, services
from wijk.models import Municipality, NeighbourhoodRequest
from wijk.models.neighbourhood import slugify
from wijk.security.decorators import admin_required


def _request(neighbourhood_request_id: int) -> NeighbourhoodRequest:
    found = db.session.get(NeighbourhoodRequest, neighbourhood_request_id)
    if found is None:
        abort(404)
    return found


@bp.get("/admin/wijkaanvragen")
@admin_required
def requests():
    return render_template("founding/admin_requests.html", requests=services.all_requests())


def _render(found: NeighbourhoodRequest, approve=None, decline=None, status: int = 200):
    if approve is None:
        approve = forms.ApproveForm(formdata=None)
        approve.name.data = found.name
        approve.slug.data = slugify(found.name)
        approve.municipality.data = found.municipality_name
        approve.postcodes.data = ", ".join(found.postcode_list)
    return render_template(
        "founding/admin_request.html",
        found=found,
        approve=approve,
        decline=decline or forms.DeclineForm(formdata=None),
        covered=", ".join(
            f"{code} ({name})" for code, name in services.covered(found.postcode_list).items()
        )
        if found.is_open
        else "",
        municipalities=Municipality.ordered(),
    ), status


@bp.get("/admin/wijkaanvragen/<int:neighbourhood_request_id>")
@admin_required
def request_detail(neighbourhood_request_id: int):
    found = _request(neighbourhood_request_id)
    services.read(current_user, found)
    return _render(found)


@bp.post("/admin/wijkaanvragen/<int:neighbourhood_request_id>/goedkeuren")
@admin_required
def approve(neighbourhood_request_id: int):
    found = _request(neighbourhood_request_id)
    form = forms.ApproveForm()
    if form.validate_on_submit():
        try:
            place = services.approve(
                current_user,
                found,
                name=form.name.data or "",
                slug=(form.slug.data or "").strip(),
                municipality=form.municipality.data or "",
                postcodes=form.postcodes.data or "",
                now=utcnow(),
            )
        except services.RequestError as error:
            db.session.rollback()
            add_error(getattr(form, error.field), forms.error_text(error))
        else:
            flash(
                _("%(name)s exists now; its requester is its first manager.", name=place.name),
                "success",
            )
            return redirect(url_for("admin.neighbourhood", slug=place.slug))
    return _render(found, approve=form, status=400)


@bp.post("/admin/wijkaanvragen/<int:neighbourhood_request_id>/afwijzen")
@admin_required
def decline(neighbourhood_request_id: int):
    found = _request(neighbourhood_request_id)
    form = forms.DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline(current_user, found, form.reason.data or "", utcnow())
        except services.RequestError as error:
            add_error(form.reason, forms.error_text(error))
        else:
            flash(
                _("The request is declined; the requester gets your reason by e-mail."), "success"
            )
            return redirect(url_for(".requests"))
    return _render(found, decline=form, status=400)
