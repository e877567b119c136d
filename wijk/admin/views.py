"""The admin area (/admin): admins only, with two-step login on."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from wijk import audit
from wijk.admin import bp, forms, services
from wijk.extensions import db
from wijk.forms import add_error
from wijk.mail.delivery import retry_all_failed
from wijk.models import Neighbourhood, OutboxMessage, User
from wijk.models.outbox import OutboxState
from wijk.security.decorators import admin_required


def _place(slug: str):
    place = Neighbourhood.by_slug(slug)
    if place is None:
        abort(404)
    return place


@bp.get("/admin")
@admin_required
def index():
    failed = (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == OutboxState.FAILED)
        )
        or 0
    )
    return render_template("admin/index.html", failed=failed)


# --- neighbourhoods and managers --------------------------------------------------------


@bp.get("/admin/wijken")
@admin_required
def neighbourhoods():
    return render_template("admin/neighbourhoods.html", rows=services.neighbourhoods())


def _save(form: forms.NeighbourhoodForm, place=None):
    slug = (form.slug.data or "").strip()
    if services.slug_taken(slug, place):
        add_error(form.slug, _("Another neighbourhood already has this web address."))
        return None
    return services.save_neighbourhood(
        current_user,
        name=form.name.data or "",
        slug=slug,
        city=form.city.data or "",
        description=form.description.data,
        postcodes=services.parse_postcodes(form.postcodes.data),
        place=place,
    )


@bp.route("/admin/wijken/nieuw", methods=["GET", "POST"])
@admin_required
def neighbourhood_new():
    form = forms.NeighbourhoodForm()
    if form.validate_on_submit() and (place := _save(form)):
        flash(_("Neighbourhood created. Now appoint its managers."), "success")
        return redirect(url_for(".neighbourhood", slug=place.slug))
    status = 400 if form.errors else 200
    return render_template("admin/neighbourhood_form.html", form=form, place=None), status


def _render_neighbourhood(place, form=None, appoint_form=None, status=200):
    if form is None:
        form = forms.NeighbourhoodForm(formdata=None, obj=place)
        form.postcodes.data = ", ".join(p.postcode for p in place.postcodes)
    return render_template(
        "admin/neighbourhood.html",
        place=place,
        form=form,
        appoint_form=appoint_form or forms.AppointForm(formdata=None),
        managers=services.managers_of(place),
        items=services.item_count(place),
    ), status


@bp.route("/admin/wijken/<slug>", methods=["GET", "POST"])
@admin_required
def neighbourhood(slug: str):
    place = _place(slug)
    if request.method == "GET":
        return _render_neighbourhood(place)
    form = forms.NeighbourhoodForm()
    if form.validate_on_submit() and _save(form, place):
        flash(_("Saved."), "success")
        return redirect(url_for(".neighbourhood", slug=place.slug))
    return _render_neighbourhood(place, form=form, status=400)


@bp.route("/admin/wijken/<slug>/verwijderen", methods=["GET", "POST"])
@admin_required
def neighbourhood_delete(slug: str):
    place = _place(slug)
    items = services.item_count(place)
    if request.method == "POST" and not items:
        services.delete_neighbourhood(current_user, place)
        flash(_("Neighbourhood deleted."), "success")
        return redirect(url_for(".neighbourhoods"))
    return render_template("admin/neighbourhood_delete.html", place=place, items=items)


@bp.post("/admin/wijken/<slug>/beheerders")
@admin_required
def appoint(slug: str):
    place = _place(slug)
    form = forms.AppointForm()
    if form.validate_on_submit():
        try:
            user = services.appoint(current_user, place, form.email.data or "")
        except services.AdminError as error:
            add_error(
                form.email,
                _("This person already manages this neighbourhood.")
                if str(error) == "already"
                else _("There is no confirmed account with this address."),
            )
        else:
            flash(
                _("%(name)s is now a manager of %(place)s.", name=user.name, place=place.name),
                "success",
            )
            return redirect(url_for(".neighbourhood", slug=place.slug))
    return _render_neighbourhood(place, appoint_form=form, status=400)


@bp.post("/admin/wijken/<slug>/beheerders/verwijderen")
@admin_required
def remove_manager(slug: str):
    place = _place(slug)
    user_id = request.form.get("user_id", type=int)
    if user_id and services.remove_manager(current_user, place, user_id):
        flash(_("The manager has been removed."), "success")
    else:
        flash(_("This person was not a manager here."), "info")
    return redirect(url_for(".neighbourhood", slug=place.slug))


# --- accounts ---------------------------------------------------------------------------


@bp.get("/admin/gebruikers")
@admin_required
def users():
    query = request.args.get("q", "").strip()[:100]
    found = services.search_users(current_user, query) if query else []
    return render_template(
        "admin/users.html", query=query, users=found, limit=services.SEARCH_LIMIT
    )


@bp.get("/admin/gebruikers/<int:user_id>")
@admin_required
def user(user_id: int):
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    return render_template("admin/user.html", account=services.view_user(current_user, person))


# --- undeliverable mail -----------------------------------------------------------------


@bp.get("/admin/uitgaande-post")
@admin_required
def outbox():
    return render_template("admin/outbox.html", messages=services.failed_messages(current_user))


@bp.post("/admin/uitgaande-post/opnieuw")
@admin_required
def retry():
    if request.form.get("all"):
        count = retry_all_failed(commit=False)
        if count:
            audit.record(current_user, "outbox.retried", detail=f"all failed: {count}")
        db.session.commit()
        flash(_("%(n)d message(s) are back in the queue.", n=count), "success")
    elif services.retry(current_user, request.form.get("message_id", 0, type=int)):
        flash(_("The message is back in the queue."), "success")
    else:
        flash(_("There is no failed message with this number."), "info")
    return redirect(url_for(".outbox"))


# --- audit log --------------------------------------------------------------------------


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/admin/audit")
@admin_required
def audit_log():
    args = request.args
    chosen = services.AuditFilter(
        actor=args.get("door", "")[:254],
        person=args.get("persoon", "")[:254],
        action=args.get("actie", "") if args.get("actie") in audit.ACTIONS else "",
        neighbourhood_id=args.get("wijk", type=int),
        since=_date(args.get("van")),
        until=_date(args.get("tot")),
    )
    page = max(args.get("pagina", 1, type=int) or 1, 1)
    entries, has_next = services.audit_log(chosen, page)
    query = {k: v for k, v in args.items() if k != "pagina" and v}
    return render_template(
        "admin/audit.html",
        entries=entries,
        has_next=has_next,
        page=page,
        chosen=chosen,
        actions=audit.ACTIONS,
        label=audit.label,
        places=Neighbourhood.ordered(),
        query=query,
    )
