"""The dates of an activity: the next ones on the activity page, and a page where its
owner and co-managers cancel, move or restore one date."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wijk.clock import local_now
from wijk.extensions import db
from wijk.forms import add_error
from wijk.models import Activity, ActivityOccurrence, ItemKind
from wijk.security.permissions import can_edit, require
from wijk.series import bp, occurrences
from wijk.series.forms import DateChangeForm
from wijk.series.rules import RuleError

SHOWN_TO_OWNER = 60


@bp.app_template_global()
def next_dates_of(view) -> list[ActivityOccurrence]:
    """The next dates of the activity on its page, cancelled ones included."""
    if view.kind != ItemKind.ACTIVITY:
        return []
    activity = db.session.get(Activity, view.id)
    return occurrences.page_dates(activity) if activity else []


def _editable(item_id: int) -> Activity:
    activity = db.session.get(Activity, item_id)
    if activity is None:
        abort(404)
    require(can_edit(current_user, activity))
    return activity


def _page(activity: Activity, form: DateChangeForm | None = None, failed: int | None = None):
    return render_template(
        "series/dates.html",
        activity=activity,
        form=form,
        failed=failed,
        dates=occurrences.dates_of(activity, local_now(), limit=SHOWN_TO_OWNER),
    )


@bp.get("/activiteit/<int:item_id>/datums")
@login_required
def dates(item_id: int):
    return _page(_editable(item_id))


@bp.post("/activiteit/<int:item_id>/datums/wijzigen")
@login_required
def change(item_id: int):
    """Cancel, move or restore one date; a refused move comes back beside its fields."""
    activity = _editable(item_id)
    form = DateChangeForm()
    row = occurrences.find(activity, form.occurrence.data or 0) if form.validate() else None
    if row is None or not activity.rrule:
        return _page(activity, form, failed=form.occurrence.data), 400
    try:
        if form.action.data == "cancel":
            occurrences.cancel(row)
            flash(_("The date %(day)s is cancelled.", day=f"{row.starts_at:%d-%m-%Y}"), "success")
        elif form.action.data == "restore":
            occurrences.restore(row)
            flash(_("The date is back as planned."), "success")
        else:
            if form.starts_at.data is None:
                add_error(form.starts_at, _("Fill in the new start."))
                return _page(activity, form, failed=row.id), 400
            occurrences.move(row, form.starts_at.data, form.ends_at.data)
            flash(_("The date is moved."), "success")
    except RuleError as error:
        add_error(form.starts_at, str(error))
        db.session.rollback()
        return _page(activity, form, failed=row.id), 400
    db.session.commit()
    return redirect(url_for(".dates", item_id=activity.id))
