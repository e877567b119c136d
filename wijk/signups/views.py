"""Sign-up routes: visitors sign up and cancel; the organiser reads and exports the list."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_login import current_user, login_required

from wijk.extensions import db, limiter
from wijk.models import Item, ItemKind, SignUpStatus
from wijk.security.permissions import require
from wijk.signups import bp, services

ACTIVITY = "/activiteit/<int:item_id>"


@bp.route("/aanmelding/<token>/annuleren", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"])
def cancel(token: str):
    """GET asks, POST cancels: a link scanner that opens the mail cancels nothing."""
    signup = services.from_token(token)
    if signup is None:
        return render_template("signups/cancel_failed.html"), 404
    activity = signup.activity
    if request.method == "POST":
        services.cancel(signup)
        return render_template("signups/cancelled.html", title=activity.title)
    return render_template("signups/cancel.html", title=activity.title,
                           starts_at=activity.starts_at,
                           cancelled=signup.status == SignUpStatus.CANCELLED)


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
    activity, entries = _list_of(item_id)
    response = Response(render_template(
        "signups/list.html", activity=activity, counts=services.counts(activity),
        confirmed=[e for e in entries if e.status == SignUpStatus.CONFIRMED],
        waiting=[e for e in entries if e.status == SignUpStatus.WAITING],
    ))
    response.headers["Cache-Control"] = "private, no-store"
    return response


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
