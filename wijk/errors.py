"""Friendly error pages in the visitor's language."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    make_response,
    render_template,
    request,
    session,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

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


KEEPS_TEXT = "wijk_keeps_text_on_expired_form"
# app.extensions key: {path prefix: function(HTTPException) -> Response}, for parts of the
# site that answer errors in their own format (wijk.api: JSON problem details).
ERROR_RESPONDERS = "wijk_error_responders"


def keeps_text(view: Callable) -> Callable:
    """Mark a form view whose text must survive an expired form (CSRF token): it is run
    again with the posted data, its own form check refuses the stale token, and the form
    comes back filled in. Only for views that change nothing unless a FlaskForm validates;
    put it under @bp.route, above the other decorators."""
    setattr(view, KEEPS_TEXT, True)
    return view


def _refill(view: Callable) -> Response | None:
    """The view's own page with the posted text and a message, when it shows the form
    again (400); None when it answers otherwise (a redirect to log in, a 404, ...), so the
    caller shows the plain expired page and no stray message is left behind."""
    flash(
        _(
            "This form had expired, so nothing was sent yet. Your text is still here: "
            "check it and send it again."
        ),
        "error",
    )
    try:
        response = make_response(current_app.ensure_sync(view)(**(request.view_args or {})))
    except HTTPException:
        response = None
    if response is not None and response.status_code == 400:
        return response
    flashes = session.get("_flashes")
    if flashes:
        flashes.pop()
        session.modified = True
    return None


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        respond = _responder()
        if respond is not None:
            return respond(error)
        if code not in MESSAGES:
            return error
        title, text = MESSAGES[code]
        return render_template("errors/error.html", code=code, title=title, text=text), code

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        respond = _responder()
        if respond is not None:  # e.g. the API's GET routes: a POST there reached no view
            routing = request.routing_exception
            return respond(routing if isinstance(routing, HTTPException) else error)
        view = current_app.view_functions.get(request.endpoint or "")
        if view is not None and request.method == "POST" and getattr(view, KEEPS_TEXT, False):
            refilled = _refill(view)
            if refilled is not None:
                return refilled
        title = _("This form has expired")
        text = _("Reload the page and send the form again. Your session may have expired.")
        return render_template("errors/error.html", code=400, title=title, text=text), 400

    @app.errorhandler(500)
    def server_error(error: Exception):
        db.session.rollback()
        respond = _responder()
        if respond is not None:
            return respond(InternalServerError())
        title, text = MESSAGES[500]
        return render_template("errors/error.html", code=500, title=title, text=text), 500


def _responder() -> Callable[[HTTPException], Response] | None:
    """The error answer of the part of the site this path belongs to, if it has its own
    (the JSON API registers one for /api/), else None for the HTML pages."""
    for prefix, respond in current_app.extensions.get(ERROR_RESPONDERS, {}).items():
        if request.path.startswith(prefix):
            return respond
    return None
