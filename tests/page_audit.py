"""The pages the HTML checks look at: the access-matrix world (every role, with a manager
and an admin behind two-step login) plus the content a resident meets (an activity with
sign-ups and the contact form, an offer, an organisation, a draft newsletter, a report),
crawled as each role in every interface language of `LANGUAGES`, and a few forms sent back
with their errors. The Nu HTML checker (npm `vnu-jar`) then reads them all in one batch."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import access_world

from wijk.extensions import db
from wijk.models import Newsletter, Report

ROOT = Path(__file__).resolve().parents[1]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The roles whose pages differ: a visitor, a resident, an author, a manager, an admin.
ROLES = ("anonymous", "resident", "author", "manager", "admin")
LINK = re.compile(r'href="([^"#]*)')


@dataclass(frozen=True)
class Page:
    role: str
    lang: str
    url: str
    html: str

    @property
    def label(self) -> str:
        return f"{self.role} {self.lang} {self.url}"


def build_world(make_user, make_neighbourhood, make_item) -> access_world.World:
    world = access_world.build(make_user, make_neighbourhood, make_item)
    place = world.values["_place_a"]
    author = world.users["author"]
    make_item("offer", owner=author, neighbourhood=place, title="Ladder te leen")
    make_item("organisation", owner=author, neighbourhood=place, title="Buurthuis De Linde")
    draft = Newsletter(
        neighbourhood_id=place.id,
        author_id=world.users["manager"].id,
        subject="Concept voor A",
        body_html="<p>Binnenkort</p>",
        body_text="Binnenkort",
    )
    db.session.add_all([draft, Report(item_id=world.values["item_id"], reason="Klopt niet")])
    db.session.commit()
    world.values["draft_id"] = draft.id
    return world


def crawl(client, start: list[str], limit: int) -> dict[str, str]:
    """Every HTML page reachable by GET links from `start`, at most `limit` of them."""
    pages: dict[str, str] = {}
    queue, seen = deque(start), set(start)
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302, 303):
            target = urlsplit(response.headers["Location"])._replace(scheme="", netloc="")
            if target.geturl() not in seen:
                seen.add(target.geturl())
                queue.append(target.geturl())
            continue
        if response.mimetype != "text/html":
            continue
        body = response.get_data(as_text=True)
        pages[url] = body
        for href in LINK.findall(body):
            parts = urlsplit(urljoin(url, href.replace("&amp;", "&")))
            if parts.netloc not in ("", "localhost") or parts.path.startswith("/static/"):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path not in seen:
                seen.add(path)
                queue.append(path)
    return pages


def forms_with_errors(client, world: access_world.World) -> dict[str, str]:
    """Pages whose forms came back with their messages (POSTs with empty fields)."""
    item = world.values["item_id"]
    posts = {
        "/registreren": {},
        f"/activiteit/{item}/contact": {"name": "", "email": "geen-adres", "message": "kort"},
        f"/activiteit/{item}/aanmelden": {"name": "", "email": ""},
        f"/activiteit/{item}/melden": {"reason": ""},
        "/privacy/verzoek": {},
    }
    pages = {}
    for url, data in posts.items():
        response = client.post(url, data=data)
        if response.mimetype == "text/html" and response.status_code in (200, 400):
            pages[f"POST {url}"] = response.get_data(as_text=True)
    return pages


def site_pages(
    app,
    world: access_world.World,
    *,
    limit: int = 120,
    roles: tuple[str, ...] = ROLES,
    languages: list[str] | None = None,
) -> list[Page]:
    """Every role in every language: crawled pages, plus forms with errors for a visitor."""
    values = world.values
    starts = [
        "/",
        f"/wijk/{values['slug']}",
        f"/activiteit/{values['item_id']}",
        f"/beheer/{values['slug']}/nieuwsbrieven/{values['draft_id']}",
        f"/beheer/{values['slug']}/items/{values['item_id']}",
    ]
    found: list[Page] = []
    csrf = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = False  # the test client posts without a token
    try:
        for lang in languages or app.config["LANGUAGES"]:
            for role in roles:
                client = app.test_client()
                access_world.log_in(client, world.users[role])
                client.post("/taal", data={"lang": lang})
                pages = crawl(client, starts, limit)
                if role == "anonymous":
                    pages |= forms_with_errors(client, world)
                found += [Page(role, lang, url, html) for url, html in pages.items()]
    finally:
        app.config["WTF_CSRF_ENABLED"] = csrf
    return found


FORM = re.compile(r"<form\b.*?</form>|<(?:input|select|textarea|button)\b[^>]*>", re.S)
# What a control holds (values, choices, typed text) does not name it.
HOLDS = re.compile(
    r' value="[^"]*"| (?:selected|checked)\b|(<textarea\b[^>]*>).*?</textarea>', re.S
)


def distinct_forms(pages: list[Page]) -> list[Page]:
    """One page per distinct set of form markup: controls are named by what their forms
    hold, so a page whose forms equal an earlier page's adds nothing to the name check."""
    seen: set[str] = set()
    kept = []
    for page in pages:
        signature = HOLDS.sub(r"\1", "".join(FORM.findall(page.html)))
        if signature not in seen:
            seen.add(signature)
            kept.append(page)
    return kept


def duplicate_form_ids(app) -> None:
    """Bring back the bug the checks exist for: the contact form's fields get the ids of
    the sign-up form's ("name", "email"), so its labels point at the other form."""

    @app.after_request
    def steal_ids(response):
        if response.mimetype == "text/html":
            body = response.get_data(as_text=True)
            for attribute in ("id", "for", "aria-describedby"):
                body = body.replace(f'{attribute}="contact-', f'{attribute}="signup-')
            response.set_data(body)
        return response


def vnu_available() -> str | None:
    """Why the Nu checker cannot run here, or None when it can."""
    if shutil.which("java") is None:
        return "java is not installed (the Nu HTML checker needs Java 11 or later)"
    if not VNU.exists():
        return "vnu-jar is not installed (npm install, see package.json)"
    return None


def vnu_errors(pages: list[Page], folder: Path) -> dict[str, list[str]]:
    """All pages through one run of the Nu checker: its errors per page label."""
    files = {}
    for n, page in enumerate(pages):
        path = folder / f"page{n:04d}.html"
        path.write_text(page.html, encoding="utf-8")
        files[path.name] = page.label
    result = subprocess.run(
        [
            "java",
            "-Xss4m",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            *(str(folder / name) for name in files),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    report = json.loads(result.stderr or result.stdout)
    errors: dict[str, list[str]] = {}
    for message in report["messages"]:
        if message["type"] != "error" and message.get("subType") != "fatal":
            continue
        url = message.get("url", "?")
        where = files.get(url.rsplit("/", 1)[-1], url)
        errors.setdefault(where, []).append(
            f"line {message.get('lastLine')}: {message['message']} "
            f"[{message.get('extract', '').strip()}]"
        )
    return errors
