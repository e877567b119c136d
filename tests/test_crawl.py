"""Crawl the public site as an anonymous visitor: no e-mail address, of an account or of a
contact person, may appear in any page or header, whatever the visibility flags say."""

from __future__ import annotations

import re
from collections import deque
from datetime import date, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select

from wijk.extensions import db
from wijk.models import Item, User

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
HREF = re.compile(r'href="([^"]+)"')


def seed(make_user, make_neighbourhood, make_item):
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=1)
    for n in range(3):
        place = make_neighbourhood(f"Wijk {n}", postcodes=(f"35{n}0",))
        owner = make_user(email=f"owner{n}@example.org")
        org = make_item(
            "organisation",
            owner=owner,
            neighbourhood=place,
            contact_email=f"org{n}@example.org",
            contact_name=f"Org contact {n}",
            contact_name_public=True,
        )
        for k in range(25):
            make_item(
                "activity",
                owner=owner,
                neighbourhood=place,
                organisation_id=org.id,
                title=f"Activiteit {n}-{k}",
                starts_at=start + timedelta(hours=k),
                ends_at=start + timedelta(hours=k + 1),
                contact_email=f"act{n}-{k}@example.org",
                contact_phone="0612345678",
                contact_phone_public=bool(k % 2),
                description=f"<p>Schrijf naar de organisator via het formulier {k}.</p>",
            )
        make_item(
            "offer",
            owner=owner,
            neighbourhood=place,
            contact_email=f"offer{n}@example.org",
            expires_on=date.today() + timedelta(days=5),
        )
        make_item(
            "activity",
            owner=owner,
            neighbourhood=place,
            status="hidden",
            contact_email=f"hidden{n}@example.org",
        )


def crawl(client, start: str = "/", limit: int = 600) -> dict[str, tuple[int, str, str]]:
    seen: dict[str, tuple[int, str, str]] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        body = response.get_data(as_text=True)
        seen[url] = (response.status_code, body, str(response.headers))
        if response.status_code in (301, 302):
            queue.append(
                urlsplit(response.headers["Location"])._replace(scheme="", netloc="").geturl()
            )
            continue
        for href in HREF.findall(body):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc or parts.path.startswith("/static/"):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path not in seen:
                queue.append(path)
    return seen


def test_no_email_address_on_any_public_page(app, client, make_user, make_neighbourhood, make_item):
    seed(make_user, make_neighbourhood, make_item)
    addresses = set(db.session.scalars(select(User.email))) | {
        a for a in db.session.scalars(select(Item.contact_email)) if a
    }
    pages = crawl(client)
    for item_id, kind in db.session.execute(select(Item.id, Item.kind)):
        slug = {"activity": "activiteit", "organisation": "organisatie", "offer": "vraag-aanbod"}[
            kind
        ]
        response = client.get(f"/{slug}/{item_id}")
        pages[f"/{slug}/{item_id}"] = (
            response.status_code,
            response.get_data(as_text=True),
            str(response.headers),
        )
    assert len(pages) > 80, "the crawl should reach the agenda pages and every item"
    assert any("/wijk/" in url and "na=" in url for url in pages), "pagination was crawled"
    for url, (_status, body, headers) in pages.items():
        for address in addresses:
            assert address not in body and address not in headers, f"{address} on {url}"
        # The controller's published privacy address (GDPR art. 13) is nobody's account.
        match = EMAIL.search(body.replace(app.config["CONTROLLER_CONTACT"], ""))
        assert match is None, f"an e-mail address ({match.group(0)}) appears on {url}"


def test_crawl_as_another_resident_shows_no_addresses_either(
    app, client, auth, make_user, make_neighbourhood, make_item
):
    seed(make_user, make_neighbourhood, make_item)
    resident = make_user(email="nieuwsgierig@example.org")
    auth.login(resident)
    for url, (_status, body, _headers) in crawl(client, limit=200).items():
        stripped = body.replace(resident.email, "").replace(app.config["CONTROLLER_CONTACT"], "")
        assert EMAIL.search(stripped) is None, url
