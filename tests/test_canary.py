"""The canary crawl: every personal column of every model holds a unique canary value,
hidden. An anonymous visitor and an unrelated resident crawl every page, feed, calendar,
sitemap and JSON response they can reach: no canary may appear. Switching one field
public makes exactly that canary appear, where expected."""

from __future__ import annotations

import re
from collections import deque
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import String, Text

from wijk.clock import utcnow
from wijk.extensions import db
from wijk.models import (
    AuditEntry,
    BlockedSender,
    Follow,
    Follower,
    HelpRequest,
    Invitation,
    ItemManager,
    ItemRevision,
    NeighbourhoodRequest,
    NewsletterSubscription,
    OutboxMessage,
    PrivacyRequest,
    RelayAlias,
    RelayConversation,
    RelayMessage,
    RelaySide,
    Report,
    SignUp,
    Suspension,
)

# Links in HTML, sitemaps, and the absolute URLs in the API's JSON.
LINKS = re.compile(r'(?:href|src)="([^"]+)"|<loc>([^<]+)</loc>|"(http://localhost/[^"\s]+)"')
# Declared personal text columns that hold vocabulary, not a person's words or details.
NOT_CANARIES = {"consent.document", "consent.version", "user_account.locale", "signup.locale"}


class Canaries(dict):
    """column -> list of canary values planted in it."""

    def plant(self, column: str, kind: str = "text") -> str:
        n = sum(len(v) for v in self.values()) + 1
        if kind == "email":
            value = f"canary{n}x@example.org"
        elif kind == "phone":
            value = f"06 9{n:03d} {n:04d}"
        else:
            value = f"Kanarie{n}q{column.replace('.', '')}"
        self.setdefault(column, []).append(value)
        return value

    def all(self) -> list[str]:
        return [v for values in self.values() for v in values]


@pytest.fixture
def planted(app, make_user, make_neighbourhood, make_item):
    c = Canaries()
    place = make_neighbourhood("Kanariewijk", postcodes=("3531",))
    owner = make_user(
        name=c.plant("user_account.name"), email=c.plant("user_account.email", "email")
    )
    owner.totp_secret = c.plant("user_account.totp_secret")
    owner.password_hash = c.plant("user_account.password_hash")  # the owner never logs in
    helper = make_user(
        name=c.plant("user_account.name"), email=c.plant("user_account.email", "email")
    )
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=2)
    items = {}
    for kind in ("activity", "organisation", "offer"):
        extra = (
            {"starts_at": start, "ends_at": start + timedelta(hours=2)}
            if kind == "activity"
            else {}
        )
        items[kind] = make_item(
            kind,
            owner=owner,
            neighbourhood=place,
            title=f"Openbaar {kind}",
            address=c.plant("item.address"),
            contact_name=c.plant("item.contact_name"),
            contact_email=c.plant("item.contact_email", "email"),
            contact_phone=c.plant("item.contact_phone", "phone"),
            **extra,
        )
    activity = items["activity"]
    activity.signups_enabled = True
    activity.co_managers.append(ItemManager(user_id=helper.id))
    outbox = OutboxMessage(
        kind="relay",
        to_addr=c.plant("outbox_message.to_addr", "email"),
        from_addr=c.plant("outbox_message.from_addr", "email"),
        reply_to=c.plant("outbox_message.reply_to", "email"),
        subject=c.plant("outbox_message.subject"),
        body_text=c.plant("outbox_message.body_text"),
        body_html=c.plant("outbox_message.body_html"),
    )
    conversation = RelayConversation(
        item_id=activity.id,
        aliases=[
            RelayAlias(
                side=side,
                token=f"{n:032x}",
                expires_at=utcnow() + timedelta(days=28),
                address=c.plant("relay_alias.address", "email"),
                display_name=c.plant("relay_alias.display_name"),
            )
            for n, side in enumerate(RelaySide)
        ],
    )
    relay = RelayMessage(
        item_id=activity.id,
        recipient_id=owner.id,
        outbox_message=outbox,
        conversation=conversation,
        sender_name=c.plant("relay_message.sender_name"),
        sender_email=c.plant("relay_message.sender_email", "email"),
        body=c.plant("relay_message.body"),
    )
    db.session.add_all(
        [
            relay,
            BlockedSender(
                user_id=owner.id,
                sender_hash="0" * 64,
                sender_hint=c.plant("blocked_sender.sender_hint", "email"),
            ),
            Invitation(
                item_id=activity.id,
                invited_by_id=owner.id,
                email=c.plant("invitation.email", "email"),
            ),
            SignUp(
                activity_id=activity.id,
                name=c.plant("signup.name"),
                email=c.plant("signup.email", "email"),
            ),
            Report(item_id=activity.id, reason=c.plant("report.reason")),
            PrivacyRequest(
                kind="question",
                email=c.plant("privacy_request.email", "email"),
                message=c.plant("privacy_request.message"),
                due_at=utcnow() + timedelta(days=28),
            ),
            HelpRequest(
                name=c.plant("help_request.name"),
                email=c.plant("help_request.email", "email"),
                question=c.plant("help_request.question"),
                locale="nl",
                conversation=RelayConversation(item_id=None),
            ),
            AuditEntry(
                action="author.viewed",
                subject_id=owner.id,
                item_id=activity.id,
                detail=c.plant("audit_entry.detail"),
            ),
            ItemRevision(
                item_id=activity.id, snapshot={"title": c.plant("item_revision.snapshot")}
            ),
            NewsletterSubscription(user_id=owner.id, neighbourhood_id=place.id, source="account"),
            NewsletterSubscription(
                neighbourhood_id=place.id,
                source="email",
                confirmed_at=utcnow(),
                email=c.plant("newsletter_subscription.email", "email"),
            ),
            NewsletterSubscription(  # the city newsletter's opt-in (issue 14)
                municipality_id=place.municipality_id,
                source="email",
                confirmed_at=utcnow(),
                email=c.plant("newsletter_subscription.email", "email"),
            ),
            NewsletterSubscription(
                user_id=owner.id, municipality_id=place.municipality_id, source="city"
            ),
            Follower(
                email=c.plant("follower.email", "email"),
                locale="nl",
                follows=[
                    Follow(target=f"neighbourhood:{place.id}", confirmed_at=utcnow()),
                    Follow(
                        target=f"organisation:{items['organisation'].id}", confirmed_at=utcnow()
                    ),
                ],
            ),
            NeighbourhoodRequest(
                user_id=owner.id,
                name=c.plant("neighbourhood_request.name"),
                municipality_name=c.plant("neighbourhood_request.municipality_name"),
                postcodes=c.plant("neighbourhood_request.postcodes"),
                motivation=c.plant("neighbourhood_request.motivation"),
                status="declined",
                decided_at=utcnow(),
                decline_reason=c.plant("neighbourhood_request.decline_reason"),
            ),
            Suspension(
                user_id=helper.id,
                neighbourhood_id=place.id,
                reason=c.plant("suspension.reason"),
                answer=c.plant("suspension.answer"),
                lift_reason=c.plant("suspension.lift_reason"),
                lifted_at=utcnow(),
            ),
        ]
    )
    db.session.commit()
    return c, place, items


def test_every_personal_text_column_is_planted(planted):
    canaries, _place, _items = planted
    declared = {
        f"{t.name}.{col.name}"
        for t in db.metadata.sorted_tables
        for col in t.columns
        if "personal" in col.info and isinstance(col.type, String | Text)
    }
    declared.add("item_revision.snapshot")  # JSON, planted through its text
    missing = declared - set(canaries) - NOT_CANARIES
    assert missing == set(), "plant a canary in these personal columns too"


def crawl(client, start_urls, limit=800) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = deque(start_urls)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        body = (
            response.get_data(as_text=True)
            if not response.mimetype.startswith(("image/", "application/zip"))
            else ""
        )
        seen[url] = body + "\n" + str(response.headers)
        if response.status_code in (301, 302, 303):
            queue.append(
                urlsplit(response.headers["Location"])._replace(scheme="", netloc="").geturl()
            )
        for groups in LINKS.findall(body):
            href = next(g for g in groups if g).replace("&amp;", "&").strip()
            parts = urlsplit(urljoin(url, href))
            if parts.netloc not in ("", "localhost") or parts.path.startswith("/static/"):
                continue
            if parts.scheme not in ("", "http", "https"):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def start_urls(items) -> list[str]:
    slugs = {"activity": "activiteit", "organisation": "organisatie", "offer": "vraag-aanbod"}
    place = items["activity"].neighbourhood
    framed = [f"/embed/wijk/{place.slug}", f"/embed/gemeente/{place.municipality.slug}"]
    public = ["/", "/sitemap.xml", "/privacy", "/statistieken", "/transparantie", "/wijk-starten"]
    return (
        public
        + ["/api/v1/openapi.json", *framed]
        + [f"/{slugs[k]}/{i.id}" for k, i in items.items()]
    )


CITY_PAGES = ("/gemeente/utrecht", "/gemeente/utrecht/agenda.ics", "/gemeente/utrecht/feed.atom")


@pytest.mark.parametrize("viewer", ["anonymous", "unrelated resident"])
def test_no_canary_reaches_a_visitor(client, auth, make_user, planted, viewer):
    canaries, _place, items = planted
    if viewer == "unrelated resident":
        auth.login(make_user())
    pages = crawl(client, start_urls(items))
    assert len(pages) > 10
    assert set(CITY_PAGES) <= set(pages), "the city page and its feeds were crawled"
    assert "Openbaar activity" in pages["/gemeente/utrecht/agenda.ics"]
    reached = {"/api", f"/api/v1/activities/{items['activity'].id}", f"/embed/wijk/{_place.slug}"}
    assert reached <= set(pages), "the crawl reaches the API, its objects and the embeds"
    for reached in ("/statistieken/wijk/", "/statistieken/gemeente/", "/transparantie/"):
        assert any(url.startswith(reached) for url in pages), f"the crawl missed {reached}"
    leaks = {url: [v for v in canaries.all() if v in body] for url, body in pages.items()}
    assert {url: found for url, found in leaks.items() if found} == {}


def test_a_field_switched_public_shows_exactly_its_canary(client, planted):
    canaries, place, items = planted
    activity = items["activity"]
    phone = activity.contact_phone
    activity.contact_phone_public = True
    db.session.commit()
    pages = crawl(client, start_urls(items))
    item_page = pages[f"/activiteit/{activity.id}"]
    assert phone in item_page
    for url, body in pages.items():
        others = [v for v in canaries.all() if v in body and v != phone]
        assert others == [], url
