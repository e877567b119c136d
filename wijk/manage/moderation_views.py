"""Moderation depth in the manager area (issue 17): suspending an item's author, the list
of suspensions with lifting, the neighbourhood's hold rules and approving a held post;
and, for the suspended person, answering the decision.

Every manager route passes `manager_required` and then `require_scope`; suspending and
lifting also ask `can_suspend` / `can_lift`, so only an admin acts site-wide."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wijk import audit
from wijk.extensions import db, limiter
from wijk.manage import bp, forms, services
from wijk.manage.views import _item, _render_item
from wijk.models import Suspension
from wijk.moderation import holds, suspensions
from wijk.security.decorators import manager_required
from wijk.security.permissions import can_lift, can_suspend, is_admin

ERRORS = {
    "reason": lambda: _("Give a reason; the person reads it."),
    "self": lambda: _("You cannot suspend yourself."),
    "already": lambda: _("This person is already suspended there."),
    "lifted": lambda: _("This suspension was already lifted."),
}


@bp.app_template_global()
def hold_label(reason: str | None) -> str:
    return holds.describe(reason)


@bp.post("/beheer/<slug>/items/<int:item_id>/schorsen")
@manager_required
def suspend(slug: str, item_id: int):
    """Suspend the author of this item here (or, for an admin who ticks it, site-wide)."""
    place, item = _item(slug, item_id)
    form = forms.SuspendForm()
    if not form.validate_on_submit() or item.owner is None:
        return _render_item(place, item, suspend_form=form, status=400)
    scope = None if form.site_wide.data else place
    if not can_suspend(current_user, scope):
        services.deny(current_user, None, item)
    try:
        suspensions.suspend(item.owner, current_user, scope, form.reason.data or "")
    except suspensions.SuspensionError as error:
        flash(ERRORS[str(error)](), "info")
    else:
        flash(_("The person is suspended and has been told by e-mail, with the reason."), "success")
    return redirect(url_for(".item", slug=place.slug, item_id=item.id))


@bp.get("/beheer/<slug>/schorsingen", endpoint="suspensions")
@manager_required
def suspensions_page(slug: str):
    place = services.place_in_scope(current_user, slug)
    rows = suspensions.in_neighbourhood(place, site_wide=is_admin(current_user))
    audit.record_each(
        current_user, "suspensions.viewed", sorted({s.user_id for s in rows}), neighbourhood=place
    )
    db.session.commit()
    return render_template(
        "manage/suspensions.html",
        place=place,
        suspensions=rows,
        lift_form=forms.LiftForm(formdata=None),
    )


@bp.post("/beheer/<slug>/schorsingen/opheffen")
@manager_required
def lift(slug: str):
    place = services.place_in_scope(current_user, slug)
    form = forms.LiftForm()
    suspension = db.session.get(Suspension, form.suspension_id.data or 0)
    if suspension is not None and (
        suspension.neighbourhood_id not in (None, place.id)
        or not can_lift(current_user, suspension)
    ):
        services.deny(current_user, suspension.neighbourhood_id)
    if not form.validate_on_submit() or suspension is None:
        rows = suspensions.in_neighbourhood(place, site_wide=is_admin(current_user))
        return render_template(
            "manage/suspensions.html", place=place, suspensions=rows, lift_form=form
        ), 400
    try:
        restored = suspensions.lift(suspension, current_user, form.reason.data or "")
    except suspensions.SuspensionError as error:
        flash(ERRORS[str(error)](), "info")
    else:
        flash(_("The suspension is lifted; %(n)d item(s) are public again.", n=restored), "success")
    return redirect(url_for(".suspensions", slug=place.slug))


@bp.route("/beheer/<slug>/regels", methods=["GET", "POST"])
@manager_required
def rules(slug: str):
    place = services.place_in_scope(current_user, slug)
    current = holds.rules_of(place)
    form = forms.RulesForm(obj=current)
    if current is None and not form.is_submitted():
        form.hold_first_posts.data = 0
    if form.validate_on_submit():
        holds.save_rules(
            place, current_user, form.hold_first_posts.data or 0, form.held_words.data or ""
        )
        flash(_("Saved. New posts that meet these rules wait for your approval."), "success")
        return redirect(url_for(".rules", slug=place.slug))
    status = 400 if form.errors else 200
    return render_template("manage/rules.html", place=place, form=form), status


@bp.post("/beheer/<slug>/items/<int:item_id>/goedkeuren")
@manager_required
def approve(slug: str, item_id: int):
    place, item = _item(slug, item_id)
    try:
        services.approve(item, current_user)
    except services.ModerationError:
        flash(_("This item is not waiting for review."), "info")
    else:
        flash(_("Approved: the item is public and the author has been told."), "success")
    return redirect(url_for(".item", slug=place.slug, item_id=item.id))


@bp.post("/mijn/schorsing/antwoord")
@login_required
@limiter.limit("10/hour")
def answer_suspension():
    """The suspended person answers the decision from "My data"."""
    form = forms.AnswerForm()
    suspension = db.session.get(Suspension, form.suspension_id.data or 0)
    if suspension is not None and suspension.user_id != current_user.id:
        abort(404)
    if not form.validate_on_submit() or suspension is None:
        flash(_("Write your answer."), "error")
        return redirect(url_for("privacy.mine", _anchor="suspensions"))
    suspensions.answer(suspension, current_user, form.answer.data)
    flash(_("Your answer has been sent to the people who decided."), "success")
    return redirect(url_for("privacy.mine", _anchor="suspensions"))
