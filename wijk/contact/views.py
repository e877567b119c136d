from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _

from wijk.contact import bp, services
from wijk.contact.forms import ContactForm, ReportForm
from wijk.content.views import KIND_PATH, item_url, load_item, render_item_page
from wijk.extensions import db, limiter
from wijk.models import Item
from wijk.neighbourhoods.services import local_now


def _recipient_key() -> str:
    """Rate-limit key per recipient (a keyed hash), whichever visitor writes."""
    item = db.session.get(Item, (request.view_args or {}).get("item_id", 0))
    if item is None:
        return "relay:none"
    address, _owner = services.recipient(item)
    return "relay:" + services.address_hash(address)[:32]


@bp.post(f"/{KIND_PATH}/<int:item_id>/contact")
@limiter.limit("5/10 minutes;20/day")
@limiter.limit("20/hour;60/day", key_func=_recipient_key,
               deduct_when=lambda response: response.status_code == 302)
def send(kind_slug: str, item_id: int):
    item = load_item(kind_slug, item_id)
    if not services.relay_open(item, local_now().date()):
        return render_template("contact/closed.html", title=item.title), 410
    form = ContactForm()
    if not form.validate_on_submit():
        return render_item_page(item, contact_form=form), 400
    if not form.website.data:  # a filled honeypot gets the same answer, nothing is sent
        services.send(item, form.name.data, form.email.data, form.message.data)
    flash(_("Thank you, your message has been sent. The contact person can answer you by "
            "e-mail."), "success")
    return redirect(item_url(item))


@bp.route("/bericht/<token>/blokkeren", methods=["GET", "POST"])
def block(token: str):
    relay = services.relay_from_token(token)
    if relay is None:
        abort(404)
    if request.method == "POST":
        services.block(relay)
        return render_template("contact/blocked.html")
    return render_template("contact/block.html", hint=services.mask(relay.sender_email or "?@?"))


@bp.route("/bericht/<token>/melden", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"])
def report_message(token: str):
    relay = services.relay_from_token(token)
    if relay is None:
        abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        services.report_message(relay, form.reason.data)
        return render_template("contact/reported.html")
    status = 400 if form.errors else 200
    return render_template("contact/report.html", form=form), status
