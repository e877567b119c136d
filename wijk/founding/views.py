"""/wijk-starten: a resident asks for a neighbourhood for a postcode nobody covers; a
visitor without an account is asked to make one first, and the postcode is kept (in the
session cookie, which the site sets anyway)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wijk.clock import utcnow
from wijk.forms import add_error
from wijk.founding import bp, forms, services
from wijk.models import Municipality
from wijk.neighbourhoods.services import parse_postcode
from wijk.security.permissions import can_post

KEPT_POSTCODE = "wanted_postcode"


def _kept_postcode() -> str:
    """The postcode the visitor looked up: from the link, else kept from before login."""
    code = parse_postcode(request.args.get("postcode", ""))
    if code is not None:
        session[KEPT_POSTCODE] = code
        return code
    kept = session.get(KEPT_POSTCODE)
    return kept if isinstance(kept, str) and parse_postcode(kept) == kept else ""


@bp.route("/wijk-starten", methods=["GET", "POST"])
def start():
    postcode = _kept_postcode()
    if not current_user.is_authenticated:
        here = url_for(".start", postcode=postcode or None)
        return render_template(
            "founding/account_first.html",
            postcode=postcode,
            login=url_for("accounts.login", next=here),
        )
    if not can_post(current_user):
        return render_template("content/verify_first.html")
    mine = services.requests_of(current_user)
    waiting = next((r for r in mine if r.is_open), None)
    form = forms.RequestForm()
    if request.method == "GET" and postcode:
        form.postcodes.data = postcode
    if waiting is None and form.validate_on_submit():
        try:
            services.submit(
                current_user,
                name=form.name.data or "",
                municipality=form.municipality.data or "",
                postcodes=form.postcodes.data or "",
                motivation=form.motivation.data or "",
                now=utcnow(),
            )
        except services.RequestError as error:
            add_error(getattr(form, error.field), forms.error_text(error))
        else:
            session.pop(KEPT_POSTCODE, None)
            flash(
                _("Thank you. An administrator looks at your request; you get an e-mail."),
                "success",
            )
            return redirect(url_for(".start"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "founding/start.html",
        form=form,
        waiting=waiting,
        requests=mine,
        municipalities=Municipality.ordered(),
    ), status
