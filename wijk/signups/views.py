"""Sign-up routes: visitors sign up and cancel; the organiser reads and exports the list."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wijk.clock import local_now
from wijk.extensions import db, limiter
from wijk.filters import local_datetime
from wijk.models import Item, ItemKind, SignUpStatus
from wijk.security.permissions import require
from wijk.signups import bp, notices, services
from wijk.signups.forms import AttendeeMessageForm

ACTIVITY = "/activiteit/<int:item_id>"


@bp.route("/aanmelding/<token>/annuleren", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"])
def cancel(token: str):
    """GET asks, POST cancels: a link scanner that opens the mail cancels nothing."""
    signup = services.from_token(token)
    if signup is None:
        removed = services.activity_removed(token)
        return render_template("signups/cancel_failed.html", removed=removed), 404
    activity = signup.activity
    if not activity.is_published:  # called off: say so, describe nothing
        return render_template("signups/cancel_failed.html", removed=True), 410
    if request.method == "POST":
        services.cancel(signup)
        return render_template("signups/cancelled.html", title=activity.title)
    return render_template(
        "signups/cancel.html",
        title=activity.title,
        starts_at=activity.starts_at,
        cancelled=signup.status == SignUpStatus.CANCELLED,
    )


def _list_of(item_id: int):
    """The activity and who signed up; 403 for anyone but its organiser and co-managers."""
    activity = db.session.get(Item, item_id)
    if activity is None or activity.kind != ItemKind.ACTIVITY:
        abort(404)
    entries = services.signup_list(activity, current_user)
    require(entries is not None)
    return activity, entries


@bp.get(f"{ACTIVITY}/aanmeldingen")
@login_required
def organiser_list(item_id: int):
    return _list_page(item_id, AttendeeMessageForm(formdata=None))


def _list_page(item_id: int, form: AttendeeMessageForm, status: int = 200) -> Response:
    activity, entries = _list_of(item_id)
    _date_choices(activity, form)
    response = Response(
        render_template(
            "signups/list.html",
            activity=activity,
            counts=services.counts(activity),
            confirmed=[e for e in entries if e.status == SignUpStatus.CONFIRMED],
            waiting=[e for e in entries if e.status == SignUpStatus.WAITING],
            form=form,
        ),
        status,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _date_choices(activity: Item, form: AttendeeMessageForm) -> set[int]:
    """A series: the message goes to every date or to one of its open dates."""
    dates = services.open_dates(activity, local_now())
    if dates:
        form.occurrence.choices = [(0, _("Every date"))] + [
            (row.id, local_datetime(row.starts_at)) for row in dates
        ]
    return {row.id for row in dates}


@bp.post(f"{ACTIVITY}/aanmeldingen/bericht")
@login_required
@limiter.limit("10/hour")
def write(item_id: int):
    """The organiser's message to everyone signed up; errors re-render the list."""
    activity, _entries = _list_of(item_id)
    form = AttendeeMessageForm()
    dates = _date_choices(activity, form)
    if form.occurrence.data and form.occurrence.data not in dates:
        form.occurrence.errors = [_("Choose one of the dates.")]
        return _list_page(item_id, form, 400)
    if not form.validate_on_submit():
        return _list_page(item_id, form, 400)
    sent = notices.write_to_attendees(
        activity,
        (form.subject.data or "").strip(),
        form.message.data or "",
        to=form.to.data,
        sender_name=current_user.name,
        occurrence_id=form.occurrence.data or None,
    )
    db.session.commit()
    flash(_("Your message goes to %(count)d people.", count=sent), "success")
    return redirect(url_for(".organiser_list", item_id=activity.id))


@bp.get(f"{ACTIVITY}/aanmeldingen.csv")
@login_required
def export(item_id: int):
    activity, entries = _list_of(item_id)
    return Response(
        "\ufeff" + services.to_csv(entries),  # a byte-order mark: spreadsheets read UTF-8
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="aanmeldingen-{activity.id}.csv"',
            "Cache-Control": "private, no-store",
        },
    )
