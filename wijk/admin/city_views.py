"""Admin pages per municipality: its description, its neighbourhoods and its staff
(gemeente / wijkteam), appointed by the e-mail address of an existing account and
removed again, each step audited for the person concerned."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wijk.admin import bp, forms
from wijk.cities import services
from wijk.forms import add_error
from wijk.models import Municipality
from wijk.security.decorators import admin_required


def _city(city_slug: str) -> Municipality:
    city = Municipality.by_slug(city_slug)
    if city is None:
        abort(404)
    return city


@bp.app_template_global("municipalities")
def municipality_choices() -> list[Municipality]:
    return Municipality.ordered()


@bp.get("/admin/gemeenten")
@admin_required
def municipalities():
    return render_template("admin/municipalities.html", cities=Municipality.ordered())


def _render(city: Municipality, form=None, appoint_form=None, status: int = 200):
    return render_template(
        "admin/municipality.html",
        city=city,
        form=form or forms.MunicipalityForm(formdata=None, obj=city),
        appoint_form=appoint_form or forms.CityStaffForm(formdata=None),
        staff=services.staff_of(city),
    ), status


@bp.route("/admin/gemeenten/<city_slug>", methods=["GET", "POST"])
@admin_required
def municipality(city_slug: str):
    city = _city(city_slug)
    if request.method == "GET":
        return _render(city)
    form = forms.MunicipalityForm()
    if form.validate_on_submit():
        services.describe(city, form.description.data or "", current_user)
        flash(_("Saved."), "success")
        return redirect(url_for(".municipality", city_slug=city.slug))
    return _render(city, form=form, status=400)


@bp.post("/admin/gemeenten/<city_slug>/medewerkers")
@admin_required
def appoint_city_staff(city_slug: str):
    city = _city(city_slug)
    form = forms.CityStaffForm()
    if form.validate_on_submit():
        try:
            user = services.appoint(city, form.email.data or "", current_user)
        except services.StaffError as error:
            add_error(
                form.email,
                _("This person is already on the staff of this municipality.")
                if str(error) == "already"
                else _("There is no confirmed account with this address."),
            )
        else:
            flash(
                _("%(name)s is now staff of %(city)s.", name=user.name, city=city.name), "success"
            )
            return redirect(url_for(".municipality", city_slug=city.slug))
    return _render(city, appoint_form=form, status=400)


@bp.post("/admin/gemeenten/<city_slug>/medewerkers/verwijderen")
@admin_required
def remove_city_staff(city_slug: str):
    city = _city(city_slug)
    user_id = request.form.get("user_id", type=int)
    if user_id and 0 < user_id < 2**31 and services.remove_staff(city, user_id, current_user):
        flash(_("The staff member has been removed."), "success")
    else:
        flash(_("This person was not on the staff here."), "info")
    return redirect(url_for(".municipality", city_slug=city.slug))
