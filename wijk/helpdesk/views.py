from __future__ import annotations

from flask import render_template
from flask_babel import get_locale
from flask_login import current_user

from wijk.clock import utcnow
from wijk.errors import keeps_text
from wijk.extensions import limiter
from wijk.helpdesk import bp, services
from wijk.helpdesk.forms import HelpForm, VisitorHelpForm


@bp.route("/hulp", methods=["GET", "POST"])
@keeps_text
@limiter.limit("5/hour;20/day", methods=["POST"])
def ask():
    """The help form: a logged-in person is answered at the account's address and not
    asked for it again; a visitor gives one, which nobody but the relay ever sees."""
    account = current_user if current_user.is_authenticated else None
    form = HelpForm() if account is not None else VisitorHelpForm()
    if account is not None and not form.is_submitted():
        form.name.data = account.name
    if form.validate_on_submit():
        if not form.website.data:  # a filled honeypot gets the same answer, nothing is sent
            services.ask(
                form.question.data or "",
                account.email if account is not None else form.email.data or "",
                name=form.name.data,
                locale=(account.locale if account is not None else None) or str(get_locale() or ""),
                user=account,
                now=utcnow(),
            )
        return render_template("help/sent.html", logged_in=account is not None)
    status = 400 if form.errors else 200
    return render_template("help/form.html", form=form, account=account), status
