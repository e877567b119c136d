"""The in-process outbox worker of `flask run` on the embedded default, so a newcomer
who signs up finds the verification mail without starting `flask outbox`. Production
runs `flask outbox` as its own process instead."""

from __future__ import annotations

import atexit
import threading

import click
from flask import Flask
from flask.helpers import get_debug_flag
from werkzeug.serving import is_running_from_reloader

from wijk.mail.delivery import drain
from wijk.mail.transports import describe_transport


class InlineWorker:
    """A daemon thread that drains the outbox every OUTBOX_INLINE_INTERVAL seconds."""

    def __init__(self, app: Flask, interval: float | None = None) -> None:
        self.app = app
        self.interval = float(interval or app.config["OUTBOX_INLINE_INTERVAL"])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wijk-outbox", daemon=True)
        self._last_error: str | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Finish the current message, hand the rest back and end the thread."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                drain(self.app, stop=self._stop)
                self._last_error = None
            except Exception as exc:
                # Never take the dev server down; log each distinct error once, not
                # every two seconds (e.g. before `flask db upgrade` has run).
                if repr(exc) != self._last_error:
                    self.app.logger.exception("outbox: inline delivery failed")
                    self._last_error = repr(exc)
            self._stop.wait(self.interval)


_inline_lock = threading.Lock()
_inline_worker: InlineWorker | None = None


def _is_reloader_watcher() -> bool:
    """With the reloader, `flask run` loads the app in a watcher process that only
    restarts the server; the serving child is the one that should deliver mail."""
    if is_running_from_reloader():
        return False
    context = click.get_current_context(silent=True)
    if context is None or context.info_name != "run":
        return False
    reload = context.params.get("reload")
    if reload is None:
        reload = get_debug_flag()
    return bool(reload)


def start_inline_worker(app: Flask, interval: float | None = None) -> InlineWorker | None:
    """Start the in-process worker once per process; later calls return the running one."""
    global _inline_worker
    with _inline_lock:
        if _inline_worker is not None and _inline_worker.is_alive():
            return _inline_worker
        if _is_reloader_watcher():
            return None
        worker = InlineWorker(app, interval)
        worker.start()
        _inline_worker = worker
        atexit.register(worker.stop, 2.0)
    with app.app_context():
        app.logger.info("outbox: delivering mail in-process to %s", describe_transport())
    return worker
