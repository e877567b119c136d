"""The hand-written demo content: what content.toml may say, read into frozen specs.

Every cross-reference is checked here (an activity's organisation, an owner's account,
a category code), so seed.py can trust what it gets. The keys, per entry:

- `[[accounts]]`: email, name, role (printed after the seed), is_admin, locale, manages
  (slugs of demo neighbourhoods: a manager, with two-step login switched on).
- `[news]`: author (an account), title and text, with {name} for the neighbourhood.
- `[[municipalities]]`: name, description, staff (accounts on its staff), and an
  optional city news message (news_title, news_text).
- `[categories]`: code = words that, found in an activity, give it that category.
- `[[neighbourhoods]]`: slug, name, city, postcodes, owner, description, co_managers
  ({organisation, manager} pairs), and lists of organisations, activities, offers.
- organisations: key (for references in this file), title, website, text, contact.
- activities: title, text, `when` (days from today; a weekday "ma".."zo" for the next
  one; "1e za" for the first such weekday of a coming month), at ("HH:MM"), minutes,
  every (the recurrence as shown), organisation (its key: it organises, and lends its
  contact details, hidden, when the activity has none), venue (an organisation key,
  whose page has the public address, or the name of a place), owner, contact.
- offers: kind ("offer" or "request"), title, text, expires_in and posted_ago (days),
  owner, contact.
- contact: name, email, phone, address, and `public`: the fields whose flag is on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wijk.demo.datafile import DemoDataError, Fields, read_toml
from wijk.models import CATEGORIES

CONTENT_FILE = Path(__file__).with_name("content.toml")
WEEKDAY_CODES = {"ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "za": 5, "zo": 6}
CONTACT_FIELDS = ("name", "email", "phone", "address")
OFFER_KINDS = ("offer", "request")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


@dataclass(frozen=True)
class Contact:
    """Contact details of an item; `public` names the fields whose flag is on (never
    "email": the contact e-mail has no flag)."""

    address: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    public: tuple[str, ...] = ()

    def columns(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "address_public": "address" in self.public,
            "contact_name": self.name,
            "contact_name_public": "name" in self.public,
            "contact_email": self.email,
            "contact_phone": self.phone,
            "contact_phone_public": "phone" in self.public,
        }


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: str
    is_admin: bool = False
    locale: str | None = None
    # Slugs of the demo neighbourhoods this account manages (two-step login switched on).
    manages: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrganisationSpec:
    key: str
    title: str
    text: str
    website: str | None
    contact: Contact


@dataclass(frozen=True)
class ActivitySpec:
    when: int | str
    at: str
    minutes: int | None
    title: str
    text: str
    organisation: str | None = None
    venue: str | None = None
    every: str | None = None
    contact: Contact = field(default_factory=Contact)
    owner: str | None = None


@dataclass(frozen=True)
class OfferSpec:
    kind: str
    title: str
    text: str
    expires_in: int
    posted_ago: int
    contact: Contact
    owner: str | None = None


@dataclass(frozen=True)
class PlaceSpec:
    slug: str
    name: str
    city: str
    postcodes: tuple[str, ...]
    description: str
    owner: str
    organisations: tuple[OrganisationSpec, ...]
    activities: tuple[ActivitySpec, ...]
    offers: tuple[OfferSpec, ...]
    co_managers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MunicipalitySpec:
    name: str
    description: str
    staff: tuple[str, ...] = ()
    news_title: str | None = None
    news_text: str | None = None


@dataclass(frozen=True)
class NewsSpec:
    author: str
    title: str
    text: str


@dataclass(frozen=True)
class DemoContent:
    accounts: tuple[DemoAccount, ...]
    news: NewsSpec
    categories: dict[str, tuple[str, ...]]
    places: tuple[PlaceSpec, ...]
    municipalities: tuple[MunicipalitySpec, ...] = ()

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(place.slug for place in self.places)


def load_content(path: Path = CONTENT_FILE) -> DemoContent:
    """The demo content of `path`; raises DemoDataError saying where the file is wrong."""
    root = read_toml(path)
    accounts = tuple(_account(f) for f in root.tables("accounts"))
    emails = {account.email for account in accounts}
    if len(emails) < len(accounts):
        root.fail("an e-mail address is listed twice", "accounts")

    news_fields = root.table("news") or root.fail("missing table [news]")
    news = NewsSpec(
        author=news_fields.one_of("author", emails, "one of the accounts"),
        title=news_fields.text("title"),
        text=news_fields.prose("text"),
    )
    for key, value in (("title", news.title), ("text", news.text)):
        try:
            value.format(name="")
        except (KeyError, IndexError, ValueError):
            news_fields.fail("only {name} may stand between braces", key)
    news_fields.done()

    categories = root.table("categories") or root.fail("missing table [categories]")
    words: dict[str, tuple[str, ...]] = {}
    for code in categories.all_keys():
        if code not in CATEGORIES:
            categories.fail(f"not a category code (known: {', '.join(CATEGORIES)})", code)
        words[code] = categories.texts(code)

    places = tuple(_place(f, emails) for f in root.tables("neighbourhoods"))
    if len({place.slug for place in places}) < len(places):
        root.fail("a slug is used twice", "neighbourhoods")
    cities = tuple(_municipality(f, emails) for f in root.tables("municipalities", required=False))
    if len({city.name for city in cities}) < len(cities):
        root.fail("a municipality is listed twice", "municipalities")
    slugs = {place.slug for place in places}
    for n, account in enumerate(accounts):
        for slug in account.manages:
            if slug not in slugs:
                root.fail(f"{slug!r} is not one of the neighbourhoods", f"accounts[{n}].manages")
    root.done()
    return DemoContent(accounts, news, words, places, cities)


def _municipality(f: Fields, emails: set[str]) -> MunicipalitySpec:
    staff = f.texts("staff", ())
    for n, email in enumerate(staff):
        if email not in emails:
            f.fail(f"{email!r} is not one of the accounts", f"staff[{n}]")
    title = f.text("news_title", None)
    text = f.prose("news_text") if "news_text" in f.data else None
    if (title is None) != (text is None):
        f.fail("give both news_title and news_text, or neither", "news_title")
    city = MunicipalitySpec(
        name=f.text("name"),
        description=f.prose("description"),
        staff=staff,
        news_title=title,
        news_text=text,
    )
    f.done()
    return city


def _account(f: Fields) -> DemoAccount:
    email = f.text("email")
    if "@" not in email:
        f.fail(f"{email!r} is not an e-mail address", "email")
    account = DemoAccount(
        email=email,
        name=f.text("name"),
        role=f.text("role"),
        is_admin=f.flag("is_admin"),
        locale=f.text("locale", None),
        manages=f.texts("manages", ()),
    )
    f.done()
    return account


def _contact(f: Fields | None) -> Contact:
    if f is None:
        return Contact()
    values = {name: f.text(name, None) for name in CONTACT_FIELDS}
    public = f.texts("public", ())
    for name in public:
        if name == "email":
            f.fail("the contact e-mail is never public (the relay form stands in for it)", "public")
        if values.get(name) is None:
            f.fail(f"{name!r} is public but not given", "public")
    f.done()
    return Contact(public=public, **values)


def _place(f: Fields, emails: set[str]) -> PlaceSpec:
    slug = f.text("slug")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        f.fail(f"{slug!r} is not a slug (lower-case words joined by '-')", "slug")
    postcodes = f.texts("postcodes")
    for code in postcodes:
        if not re.fullmatch(r"[1-9]\d{3}", code):
            f.fail(f"{code!r} is not a 4-digit postcode", "postcodes")
    account = "one of the accounts"
    owner = f.one_of("owner", emails, account)

    organisations = tuple(_organisation(o) for o in f.tables("organisations", required=False))
    keys = {org.key for org in organisations}
    if len(keys) < len(organisations):
        f.fail("an organisation key is used twice", "organisations")
    co_managers = []
    for pair in f.tables("co_managers", required=False):
        co_managers.append(
            (
                pair.one_of("organisation", keys, "an organisation key here"),
                pair.one_of("manager", emails, account),
            )
        )
        pair.done()

    activities = tuple(_activity(a, keys, emails) for a in f.tables("activities"))
    offers = tuple(_offer(o, emails) for o in f.tables("offers", required=False))
    place = PlaceSpec(
        slug=slug,
        name=f.text("name"),
        city=f.text("city"),
        postcodes=postcodes,
        description=f.prose("description"),
        owner=owner,
        organisations=organisations,
        activities=activities,
        offers=offers,
        co_managers=tuple(co_managers),
    )
    f.done()
    return place


def _organisation(f: Fields) -> OrganisationSpec:
    org = OrganisationSpec(
        key=f.text("key"),
        title=f.text("title"),
        text=f.prose("text"),
        website=f.text("website", None),
        contact=_contact(f.table("contact")),
    )
    if org.website is not None and not org.website.startswith("https://"):
        f.fail("must start with https://", "website")
    f.done()
    return org


def _activity(f: Fields, keys: set[str], emails: set[str]) -> ActivitySpec:
    when: int | str = f.data.get("when")  # type: ignore[assignment]
    if isinstance(when, str):
        when = f.text("when")
        weekday = when[3:] if when.startswith("1e ") else when
        if weekday not in WEEKDAY_CODES:
            f.fail(
                f"{when!r} is neither a number of days, a weekday (ma, di, .., zo) "
                "nor a first weekday of the month ('1e za')",
                "when",
            )
    else:
        when = f.number("when")
    at = f.text("at")
    if not _TIME.fullmatch(at):
        f.fail(f"{at!r} is not a time like 09:30", "at")
    minutes = f.number("minutes", None)
    if minutes is not None and minutes <= 0:
        f.fail("must be more than 0", "minutes")
    activity = ActivitySpec(
        when=when,
        at=at,
        minutes=minutes,
        title=f.text("title"),
        text=f.prose("text"),
        organisation=f.one_of("organisation", keys, "an organisation key here", None),
        venue=f.text("venue", None),
        every=f.text("every", None),
        contact=_contact(f.table("contact")),
        owner=f.one_of("owner", emails, "one of the accounts", None),
    )
    f.done()
    return activity


def _offer(f: Fields, emails: set[str]) -> OfferSpec:
    offer = OfferSpec(
        kind=f.one_of("kind", OFFER_KINDS, "offer or request"),
        title=f.text("title"),
        text=f.prose("text"),
        expires_in=f.number("expires_in"),
        posted_ago=f.number("posted_ago"),
        contact=_contact(f.table("contact")),
        owner=f.one_of("owner", emails, "one of the accounts", None),
    )
    if offer.posted_ago < 0:
        f.fail("must not be negative", "posted_ago")
    f.done()
    return offer


__all__ = ["CONTENT_FILE", "Contact", "DemoAccount", "DemoContent", "DemoDataError", "load_content"]
