"""`url_for` for templates, kept per process and app.

A rendered neighbourhood page builds some thirty links; Flask's url_for finds the
request's URL adapter, runs the url-default hooks and builds the rule each time (about
12 µs a link, a tenth of the page's template time). A link is a pure function of the
endpoint, its values and the parts of the request the adapter reads (host, server name
and port, script root, scheme; the blueprint for a relative endpoint), given the app's
URL map and config. Wijk registers no url_defaults or url_value_preprocessor hooks that
could add more (register refuses an app with them). So each app keeps the links it built
under exactly those inputs and asks Flask on a miss; outside a request (mail rendered by
a command) and for a value that is not hashable, Flask answers every time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, has_request_context, request
from flask import url_for as flask_url_for

KEPT = 4096  # links per process (~1 MB at most); a full memo starts again


def _memoised(kept: int) -> Callable[..., str]:
    links: dict[tuple, str] = {}

    def url_for(endpoint: str, **values: Any) -> str:
        if not has_request_context():
            return flask_url_for(endpoint, **values)
        environ = request.environ
        try:
            key = (
                endpoint,
                request.blueprint if endpoint.startswith(".") else None,
                environ.get("HTTP_HOST"),
                environ.get("SERVER_NAME"),
                environ.get("SERVER_PORT"),
                environ.get("SCRIPT_NAME"),
                environ.get("wsgi.url_scheme"),
                frozenset(values.items()),
            )
            found = links.get(key)
        except TypeError:  # an unhashable value
            return flask_url_for(endpoint, **values)
        if found is None:
            found = flask_url_for(endpoint, **values)
            if len(links) >= kept:
                links.clear()
            links[key] = found
        return found

    return url_for


def register(app: Flask) -> None:
    """Call after every blueprint is registered."""
    if any(app.url_default_functions.values()) or any(app.url_value_preprocessors.values()):
        raise RuntimeError("wijk.links keys links by request and values alone: no url_defaults")
    app.jinja_env.globals["url_for"] = _memoised(KEPT)
