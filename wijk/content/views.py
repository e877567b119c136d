from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wijk.content import bp, services
from wijk.content.forms import FORMS, InviteForm, ItemForm
from wijk.content.page import KIND_PATH, item_url, load_item, render_item_page
from wijk.errors import keeps_text
from wijk.extensions import limiter
from wijk.forms import add_error
from wijk.models import ItemKind, ItemStatus, Neighbourhood
from wijk.sanitize import editable_text
from wijk.security.permissions import (
    can_delete,
    can_edit,
    can_invite,
    can_post,
    require,
    suspended_in,
)
from wijk.visibility import item_view, item_views


def _prepare(form: ItemForm, kind: str) -> None:
    form.neighbourhood_id.choices = [("", _("Choose…"))] + [
        (n.id, f"{n.name} ({n.city})") for n in Neighbourhood.ordered()
    ]
    form.organisation_id.choices = [(0, _("Myself"))] + [
        (o.id, o.title)
        for o in services.organisations_for(current_user)
        if kind != ItemKind.ORGANISATION
    ]
    if form.organisation_id.data is None:  # an item without organisation
        form.organisation_id.data = 0


def _suspended(form: ItemForm, *places: int | None) -> bool:
    """A suspended person cannot post in that neighbourhood: the form says so."""
    if any(place and suspended_in(current_user, place) for place in places):
        add_error(
            form.neighbourhood_id,
            _(
                "You are suspended in this neighbourhood and cannot post here. The decision "
                "and a way to answer it are under “My data”."
            ),
        )
        return True
    return False


def _posted(item) -> None:
    if item.status == ItemStatus.HELD:
        flash(_("Saved. A neighbourhood manager reviews your post before it is public."), "info")


def _data(form: ItemForm) -> dict:
    data = {k: v for k, v in form.data.items() if k not in ("csrf_token", "picture")}
    data["organisation_id"] = data["organisation_id"] or None
    return data


@bp.route(
    "/plaatsen/<any(activiteit, organisatie, 'vraag-aanbod'):kind_slug>", methods=["GET", "POST"]
)
@keeps_text
@login_required
@limiter.limit("30/hour", methods=["POST"])
def create(kind_slug: str):
    kind = services.SLUG_KINDS[kind_slug]
    if not can_post(current_user):
        return render_template("content/verify_first.html"), 403
    form = FORMS[kind]()
    _prepare(form, kind)
    if request.method == "GET":
        place = Neighbourhood.by_slug(request.args.get("wijk", ""))
        if place:
            form.neighbourhood_id.data = place.id
    refused = False
    if form.validate_on_submit():
        refused = _suspended(form, form.neighbourhood_id.data)
        if not refused:
            item = services.create_item(
                kind, current_user, _data(form), picture=getattr(form, "prepared_picture", None)
            )
            flash(_("Posted. Personal details stay hidden until you switch them on."), "success")
            _posted(item)
            return redirect(item_url(item))
    status = 403 if refused else 400 if form.errors else 200
    return render_template("content/form.html", form=form, kind=kind, item=None), status


@bp.route(f"/{KIND_PATH}/<int:item_id>/bewerken", methods=["GET", "POST"])
@keeps_text
@login_required
def edit(kind_slug: str, item_id: int):
    item = load_item(kind_slug, item_id)
    require(can_edit(current_user, item))
    form = FORMS[item.kind](obj=item)
    _prepare(form, item.kind)
    view = item_view(item, current_user)
    if request.method == "GET":
        form.organisation_id.data = item.organisation_id or 0
        form.description.data = editable_text(item.description)
        if "categories" in form:
            form.categories.data = list(view.categories)
    refused = False
    if form.validate_on_submit():
        refused = _suspended(form, item.neighbourhood_id, form.neighbourhood_id.data)
        if not refused:
            services.update_item(
                item,
                _data(form),
                picture=getattr(form, "prepared_picture", None),
                by=current_user,
            )
            flash(_("Your changes have been saved."), "success")
            _posted(item)
            return redirect(item_url(item))
    status = 403 if refused else 400 if form.errors else 200
    return render_template("content/form.html", form=form, kind=item.kind, item=view), status


@bp.post(f"/{KIND_PATH}/<int:item_id>/zichtbaarheid")
@login_required
def visibility(kind_slug: str, item_id: int):
    item = load_item(kind_slug, item_id)
    require(can_edit(current_user, item))
    field = request.form.get("field", "")
    public = request.form.get("public") == "1"
    try:
        services.set_visibility(item, field, public)
    except KeyError:
        abort(400)
    shown = item_view(item, current_user).field(field)
    label = shown.label if shown else field
    if public:
        flash(_("%(field)s is now public.", field=label), "success")
    else:
        flash(_("%(field)s is now hidden.", field=label), "success")
    return redirect(
        request.form.get("back") == "mine" and url_for("content.mine") or item_url(item)
    )


@bp.route(f"/{KIND_PATH}/<int:item_id>/verwijderen", methods=["GET", "POST"])
@login_required
def delete(kind_slug: str, item_id: int):
    item = load_item(kind_slug, item_id)
    require(can_delete(current_user, item))
    if request.method == "POST":
        services.delete_item(item)
        flash(_("Deleted."), "success")
        return redirect(url_for("content.mine"))
    return render_template("content/delete.html", item=item_view(item, current_user))


@bp.post(f"/{KIND_PATH}/<int:item_id>/uitnodigen")
@login_required
@limiter.limit("20/hour")
def invite(kind_slug: str, item_id: int):
    item = load_item(kind_slug, item_id)
    require(can_invite(current_user, item))
    form = InviteForm()
    if form.validate_on_submit():
        try:
            services.invite(item, current_user, form.email.data or "")
        except services.InvitationError as error:
            reason = str(error)
            add_error(
                form.email,
                _("You already manage this item.")
                if reason == "self"
                else _("This person is already a co-manager."),
            )
        else:
            flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
            return redirect(item_url(item))
    return render_item_page(item, invite_form=form), 400


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@login_required
def accept_invitation(token: str):
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render_template("content/invitation_failed.html"), 400
    if request.method == "POST":
        try:
            item = services.accept_invitation(invitation, current_user)
        except services.InvitationError:
            return render_template("content/invitation_failed.html"), 400
        flash(_("You are now a co-manager of “%(title)s”.", title=item.title), "success")
        return redirect(item_url(item))
    return render_template(
        "content/invitation.html",
        title=invitation.item.title,
        inviter=invitation.invited_by.name,
        used=invitation.accepted_at is not None,
    )


@bp.get("/mijn/bijdragen")
@login_required
def mine():
    items = services.items_of(current_user)
    return render_template("content/mine.html", items=item_views(items, current_user))
