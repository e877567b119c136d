"""Browser tests: Debian's chromium driven by Playwright against the app served on
loopback. Failing tests leave a screenshot in test-artifacts/."""

from __future__ import annotations

import os
import re
import threading

import pytest
from werkzeug.serving import make_server

from .support import ARGS, ARTIFACTS, CHROMIUM


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield instance
    instance.close()
    playwright.stop()


@pytest.fixture
def live_server(app):
    """The test app, with CSRF on as in production, served by a real HTTP server."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


class PageProblems(list):
    """Console errors, uncaught exceptions and dialogs seen while a test ran."""


@pytest.fixture
def new_page(browser, request):
    """Factory for pages in fresh browser contexts (a fresh visitor each)."""
    contexts = []
    problems = PageProblems()

    def make(*, bypass_csp: bool = False, locale: str = "nl-NL"):
        context = browser.new_context(
            locale=locale, bypass_csp=bypass_csp, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))

        def on_dialog(dialog):
            problems.append(f"dialog: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.problems = problems
        return page

    yield make
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{name}-{n}-{m}.png"), full_page=True)
    for context in contexts:
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report
