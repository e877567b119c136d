"""Friendly error pages in the visitor's language."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from wijk.extensions import db

MESSAGES = {
    400: (_l("Something went wrong with this request"), _l("Please go back and try again.")),
    403: (_l("You may not do this"), _l("This page or action belongs to someone else.")),
    404: (
        _l("Page not found"),
        _l("This page does not exist (any more), or the link is incomplete."),
    ),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    429: (
        _l("A moment, please"),
        _l("You have done this too often in a short time. Wait a minute and try again."),
    ),
    500: (_l("Something went wrong on our side"), _l("Nothing was saved. Please try again later.")),
}


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code not in MESSAGES:
            return error
        title, text = MESSAGES[code]
        return render_template("errors/error.html", code=code, title=title, text=text), code

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        title = _("This form has expired")
        text = _("Reload the page and send the form again. Your session may have expired.")
        return render_template("errors/error.html", code=400, title=title, text=text), 400

    @app.errorhandler(500)
    def server_error(error: Exception):
        db.session.rollback()
        title, text = MESSAGES[500]
        return render_template("errors/error.html", code=500, title=title, text=text), 500
