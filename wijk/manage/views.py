"""The manager area (/beheer/<slug>/...), reports, newsletter subscriptions, the public
newsletter archive and the one-click unsubscribe link.

Every manager route passes `manager_required` (logged in, a manager or admin, TOTP on)
and then `require_scope`, which answers 403 and leaves an audit entry for any
neighbourhood or item outside the manager's own."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from wijk.clock import utcnow
from wijk.contact.forms import ReportForm
from wijk.content.page import item_url
from wijk.content.views import KIND_PATH, load_item
from wijk.extensions import db, limiter
from wijk.manage import bp, forms, services
from wijk.models import Item, Municipality, Neighbourhood
from wijk.sanitize import editable_text
from wijk.security.decorators import manager_required
from wijk.security.permissions import can_act_for_city, suspended_in
from wijk.visibility import item_view

PAGE_SIZE = 100


def _item(slug: str, item_id: int) -> tuple:
    place = Neighbourhood.by_slug(slug)
    item = db.session.get(Item, item_id)
    if place is None or item is None:
        abort(404)
    services.require_scope(current_user, place, item)
    return place, item


@bp.app_template_global()
def manage_item_link(item: Item) -> str:
    return url_for("manage.item", slug=item.neighbourhood.slug, item_id=item.id)


# --- overview and queue -----------------------------------------------------------------


@bp.get("/beheer")
@manager_required
def index():
    places = services.managed_neighbourhoods(current_user)
    counts = services.open_report_counts([p.id for p in places])
    return render_template(
        "manage/index.html",
        places=places,
        counts=counts,
        cities=[c for c in Municipality.ordered() if can_act_for_city(current_user, c)],
    )


@bp.get("/beheer/<slug>")
@manager_required
def queue(slug: str):
    place = services.place_in_scope(current_user, slug)
    return render_template("manage/queue.html", place=place, queue=services.moderation_queue(place))


@bp.post("/beheer/<slug>/beoordeeld")
@manager_required
def reviewed(slug: str):
    place = services.place_in_scope(current_user, slug)
    services.mark_reviewed(place, current_user)
    flash(_("The queue is marked as reviewed. New posts from now on will show up here."), "success")
    return redirect(url_for(".queue", slug=place.slug))


# --- one item ---------------------------------------------------------------------------


def _render_item(place, item, *, hide_form=None, resolve_form=None, suspend_form=None, status=200):
    """The whole item as the public sees it (picture, dates, place, public fields), with
    what only managers see: status, author, reports, revisions and the decisions."""
    return render_template(
        "manage/item.html",
        place=place,
        item=item,
        view=item_view(item, current_user),
        description=Markup(item.description or ""),  # noqa: S704 (sanitised on save)
        reports=services.reports_of(item),
        revisions=services.revisions_of(item),
        hide_form=hide_form or forms.ReasonForm(formdata=None),
        resolve_form=resolve_form or forms.ResolveForm(formdata=None),
        suspend_form=suspend_form or forms.SuspendForm(formdata=None),
        author_suspended=item.owner is not None and suspended_in(item.owner, place),
    ), status


@bp.get("/beheer/<slug>/items/<int:item_id>")
@manager_required
def item(slug: str, item_id: int):
    place, item = _item(slug, item_id)
    services.item_page(item, current_user, utcnow())
    return _render_item(place, item)


def _moderate(slug: str, item_id: int, step) -> object:
    place, item = _item(slug, item_id)
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        return _render_item(place, item, hide_form=form, status=400)
    try:
        step(item, current_user, form.reason.data)
    except services.ModerationError:
        flash(_("This item is already in that state."), "info")
    else:
        flash(_("Done. The author has been told by e-mail."), "success")
    return redirect(url_for(".item", slug=place.slug, item_id=item.id))


@bp.post("/beheer/<slug>/items/<int:item_id>/verbergen")
@manager_required
def hide(slug: str, item_id: int):
    return _moderate(slug, item_id, services.hide)


@bp.post("/beheer/<slug>/items/<int:item_id>/herstellen")
@manager_required
def restore(slug: str, item_id: int):
    return _moderate(slug, item_id, services.restore)


@bp.route("/beheer/<slug>/items/<int:item_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit(slug: str, item_id: int):
    place, item = _item(slug, item_id)
    if item.kind not in forms.FORMS:
        abort(404)
    fields = services.editable_fields(item)
    form = forms.edit_form(item.kind, fields, obj=item)
    if request.method == "GET":
        form.description.data = editable_text(item.description)
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k in fields}
        if services.edit(item, current_user, data, form.note.data):
            flash(
                _("Saved. The author has been told, and the previous version is kept."), "success"
            )
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(url_for(".item", slug=place.slug, item_id=item.id))
    status = 400 if form.errors else 200
    return render_template("manage/edit.html", place=place, item=item, form=form), status


@bp.post("/beheer/<slug>/items/<int:item_id>/meldingen")
@manager_required
def resolve(slug: str, item_id: int):
    place, item = _item(slug, item_id)
    form = forms.ResolveForm()
    if not form.validate_on_submit():
        return _render_item(place, item, resolve_form=form, status=400)
    count = services.resolve_reports(item, current_user, form.note.data or "")
    if count:
        flash(_("%(n)d report(s) handled.", n=count), "success")
    else:
        flash(_("There were no open reports."), "info")
    return redirect(url_for(".item", slug=place.slug, item_id=item.id))


# --- reports, by anyone -----------------------------------------------------------------


@bp.route(f"/{KIND_PATH}/<int:item_id>/melden", methods=["GET", "POST"])
@limiter.limit("5/hour;20/day", methods=["POST"])
def report_item(kind_slug: str, item_id: int):
    item = load_item(kind_slug, item_id)
    if not item.is_published:
        abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        reached = services.report(item, form.reason.data or "")
        return render_template(
            "manage/reported.html", reached=reached, title=item.title, back=item_url(item)
        )
    status = 400 if form.errors else 200
    reached, _people = services.report_recipients(item)
    return render_template(
        "contact/report.html", form=form, title=item.title, reached=reached
    ), status
