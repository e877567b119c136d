from __future__ import annotations

from flask import abort, render_template, request

from wijk.contact import bp, services
from wijk.contact.forms import ReportForm
from wijk.extensions import limiter


@bp.route("/bericht/<token>/blokkeren", methods=["GET", "POST"])
def block(token: str):
    relay = services.relay_from_token(token)
    if relay is None:
        abort(404)
    if request.method == "POST":
        services.block(relay)
        return render_template("contact/blocked.html")
    return render_template("contact/block.html", hint=services.sender_hint(relay))


@bp.route("/bericht/<token>/melden", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"])
def report_message(token: str):
    relay = services.relay_from_token(token)
    if relay is None:
        abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        services.report_message(relay, form.reason.data or "")
        return render_template("contact/reported.html")
    status = 400 if form.errors else 200
    return render_template("contact/report.html", form=form), status
