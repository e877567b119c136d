"""How the API answers: JSON with an ETag (304 on If-None-Match), CORS for any origin
without credentials, and every error as RFC 9457 problem details. The app's error
handlers (wijk/errors.py) hand any error under /api/ to `error_response`, so a 404 for an
unknown URL, a 405 or a 429 from the limiter is JSON too."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from flask import Response, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from wijk.api.schema import ERROR
from wijk.extensions import limiter

PREFIX = "/api/"
# Shared caches may keep an answer this long, so a field its owner hides again is gone
# from them within half a minute; the ETag makes polling cheap (304) after that.
MAX_AGE = 30
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
EXPOSED = "ETag, Link, Retry-After"


def is_api_request() -> bool:
    """The JSON API; /api itself is the human page for developers."""
    return request.path.startswith(PREFIX)


def json_response(payload: Any, *, next_url: str | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    response.make_conditional(request)  # turns itself into a 304 on a matching ETag
    del response.headers["Date"]  # make_conditional adds one; the server sends its own
    return response


TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    429: "Too many requests",
    500: "Internal server error",
}


def problem(
    status: int,
    detail: str | None = None,
    *,
    parameter: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    default = {
        400: _("Check the parameters of the request."),
        404: _("There is no such object, or it is not public."),
        405: _("This API only answers GET, HEAD and OPTIONS."),
        429: _("You made too many requests in a short time. Wait a minute and try again."),
        500: _("Something went wrong on our side. Try again later."),
    }
    payload = ERROR.dump(
        {
            "type": "about:blank",
            "title": TITLES.get(status, "Error"),
            "status": status,
            "detail": detail or default.get(status, ""),
            "parameter": parameter,
        }
    )
    response = Response(
        json.dumps(payload, ensure_ascii=False), status=status, mimetype="application/problem+json"
    )
    response.cache_control.no_store = True
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def cors(response: Response) -> Response:
    """Anyone may read the open data from a browser; no credentials are ever involved."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.headers.pop("Access-Control-Allow-Credentials", None)
    return response


def error_response(error: HTTPException) -> Response:
    """An error under /api/ as problem details, with the headers the error carries (Allow
    on a 405) and, on a 429, when to try again."""
    code = error.code or 500
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    if code == 429:
        current = limiter.current_limit
        if current is not None:
            headers["Retry-After"] = str(max(int(current.reset_at - time.time()), 1))
    return problem(code, headers=headers)
