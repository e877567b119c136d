"""`flask demo`: build or migrate the database, then fill it with demo content.

Without options it adds three Utrecht neighbourhoods with organisations, about forty
activities in the coming weeks, offers and requests, and a few accounts with a known
password. It is safe to run again: what exists (found by neighbourhood slug and account
e-mail) is left alone and the accounts are printed again.

With `--activities N` (and optionally `--neighbourhoods` / `--users`) it also generates
benchmark data with bulk Core inserts: neighbourhoods up to a total, users up to a total,
and N more activities, past and future. Everything is drawn from seeded random
generators, so two fresh databases made on the same day get the same content.

Contact details are invented: e-mail addresses use example.org / example.nl, websites
use example.nl hosts and phone numbers use subscriber numbers that start with 0, which
Dutch numbering never hands out.
"""

from __future__ import annotations

import html
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, insert, select, text
from werkzeug.security import generate_password_hash

from wijk.clock import local_day_start, local_to_stamp
from wijk.discover.categories import set_categories
from wijk.extensions import db
from wijk.models import (
    Activity,
    Consent,
    Item,
    ItemManager,
    Neighbourhood,
    NeighbourhoodPostcode,
    NewsItem,
    Offer,
    Organisation,
    User,
)
from wijk.models.base import utcnow

DEMO_PASSWORD = "wijk-demo-2026"  # noqa: S105 (printed on purpose: demo accounts only)
DEFAULT_NEIGHBOURHOODS = 200
DEFAULT_USERS = 50_000
DEFAULT_SEED = 2026
CHUNK = 5_000
GENERATED_EMAIL = "bewoner{:05d}@example.nl"

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_DAY = {"ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "za": 5, "zo": 6}


# --- the command ---------------------------------------------------------------------


@click.command("demo")
@click.option(
    "--activities", type=click.IntRange(min=0), default=0, show_default=True,
    help="Also generate this many benchmark activities (past and future), on top of "
         "the demo content. Each run with this option adds that many more.",
)
@click.option(
    "--neighbourhoods", type=click.IntRange(min=3), default=None,
    help=f"Benchmark mode: top the neighbourhoods up to this total, the three demo ones "
         f"included. [default: {DEFAULT_NEIGHBOURHOODS}]",
)
@click.option(
    "--users", type=click.IntRange(min=0), default=None,
    help=f"Benchmark mode: top the user accounts up to this total. Generated users are "
         f"bewoner00001@example.nl and up, with the demo password. [default: {DEFAULT_USERS}]",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="Seed of the random generators, for reproducible benchmark data.")
@with_appcontext
def demo_command(activities: int, neighbourhoods: int | None, users: int | None,
                 seed: int) -> None:
    """Create or migrate the database and add demo content (safe to run again)."""
    from flask_migrate import upgrade

    started = time.perf_counter()
    upgrade()
    today = local_today()

    added = seed_demo(today)
    if added:
        click.echo(
            "Demo content added: {neighbourhoods} neighbourhoods, {organisations} "
            "organisations, {activities} activities, {offers} offers and requests, "
            "{accounts} accounts.".format(**added)
        )
    else:
        click.echo("Demo content is already present; nothing added.")

    if activities or neighbourhoods is not None or users is not None:
        generate_bulk(
            activities=activities,
            neighbourhoods=DEFAULT_NEIGHBOURHOODS if neighbourhoods is None else neighbourhoods,
            users=DEFAULT_USERS if users is None else users,
            seed=seed,
            today=today,
        )
        click.echo(f"Done in {time.perf_counter() - started:.1f} s.")

    print_accounts()


def local_today() -> date:
    """Activity times are local wall-clock time, so "today" is the local date."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Amsterdam")
    return datetime.now(zone).date()


# --- demo accounts -------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: str
    is_admin: bool = False
    locale: str | None = None


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("anna@example.org", "Anna de Vries", "bewoner in Lombok"),
    DemoAccount("bram@example.org", "Bram Jansen", "bewoner in Oog in Al"),
    DemoAccount("fatima@example.org", "Fatima El Amrani", "bewoner in Zuilen", locale="en"),
    DemoAccount("admin@example.org", "Beheerder Wijk", "beheerder (is_admin)", is_admin=True),
)


def _consents(accepted_at: datetime) -> list[Consent]:
    config = current_app.config
    return [
        Consent(document="terms", version=config["TERMS_VERSION"], accepted_at=accepted_at),
        Consent(document="privacy", version=config["PRIVACY_VERSION"], accepted_at=accepted_at),
        Consent(document="age", version=str(config["MINIMUM_AGE"]), accepted_at=accepted_at),
    ]


def _ensure_accounts() -> tuple[dict[str, User], int]:
    """The demo accounts by e-mail, creating the missing ones; and how many were made."""
    emails = [account.email for account in DEMO_ACCOUNTS]
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    made = 0
    for n, account in enumerate(DEMO_ACCOUNTS):
        if account.email in users:
            continue
        joined = utcnow() - timedelta(days=90 - 10 * n)
        user = User(
            email=account.email,
            name=account.name,
            password_hash=generate_password_hash(DEMO_PASSWORD),
            email_verified_at=joined + timedelta(minutes=4),
            created_at=joined,
            locale=account.locale,
            is_admin=account.is_admin,
        )
        user.consents = _consents(joined)
        db.session.add(user)
        users[account.email] = user
        made += 1
    db.session.flush()
    return users, made


def print_accounts() -> None:
    config = current_app.config
    click.echo("")
    click.echo(f"Demo accounts (password for each: {DEMO_PASSWORD}):")
    width = max(len(a.email) for a in DEMO_ACCOUNTS)
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.email:<{width}}  {account.name}, {account.role}")
    if db.session.scalar(
        select(func.count()).select_from(User).where(User.email.like("bewoner%@example.nl"))
    ):
        click.echo(f"  Generated benchmark users ({GENERATED_EMAIL.format(1)} and up) "
                   f"have the same password.")
    click.echo("")
    if config.get("MAIL_SERVER"):
        click.echo(f"Mail goes to the SMTP server {config['MAIL_SERVER']}:"
                   f"{config.get('MAIL_PORT')}.")
    else:
        click.echo(f"Mail is not sent: without MAIL_SERVER it is written as .eml files to "
                   f"{config['MAIL_FILE_DIR']}")
        click.echo("(by `flask run`, or by `flask outbox` when the inline worker is off).")


# --- hand-written demo content -------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """Contact details of an item; `public` names the fields whose flag is on."""

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
            "contact_email_public": "email" in self.public,
            "contact_phone": self.phone,
            "contact_phone_public": "phone" in self.public,
        }


@dataclass(frozen=True)
class Org:
    key: str
    title: str
    text: str
    website: str | None
    contact: Contact


@dataclass(frozen=True)
class Act:
    """An activity. `when`: days from today, a weekday ("di") for the next one, or
    "1e za" for the first such weekday of a month. `org` organises it (and lends its
    contact details, hidden, when the activity has none); `venue` is an organisation
    key (whose page has the public address) or the name of a place."""

    when: int | str
    at: str
    minutes: int | None
    title: str
    text: str
    org: str | None = None
    venue: str | None = None
    every: str | None = None
    contact: Contact = field(default_factory=Contact)
    owner: str | None = None


@dataclass(frozen=True)
class Ask:
    offer_kind: str
    title: str
    text: str
    days: int
    contact: Contact
    owner: str | None = None
    ago: int = 3


@dataclass(frozen=True)
class Place:
    slug: str
    name: str
    city: str
    postcodes: tuple[str, ...]
    description: str
    owner: str
    organisations: tuple[Org, ...]
    activities: tuple[Act, ...]
    offers: tuple[Ask, ...]
    co_managers: tuple[tuple[str, str], ...] = ()


ANNA, BRAM, FATIMA = "anna@example.org", "bram@example.org", "fatima@example.org"

LOMBOK = Place(
    slug="lombok",
    name="Lombok",
    city="Utrecht",
    # 3532 touches both Lombok and Oog in Al, so a visitor from there gets a choice.
    postcodes=("3531", "3532"),
    description=(
        "Lombok ligt tussen het centrum en het Merwedekanaal. De Kanaalstraat met haar "
        "winkels uit alle windstreken, de Moskee en het Bankaplein maken het een levendige "
        "wijk waar buren elkaar graag helpen."
    ),
    owner=ANNA,
    organisations=(
        Org("boog", "Buurthuis De Boog",
            "Het buurthuis van Lombok: koffie, cursussen, spreekuren en een zaal die je "
            "voor een buurtinitiatief gratis kunt gebruiken.\n\nOpen op werkdagen van 9.00 "
            "tot 22.00 uur.",
            "https://deboog.example.nl",
            Contact("Kanaalstraat 120, 3531 CL Utrecht", "Marieke Visser",
                    "info@deboog.example.nl", "030 000 1201", ("address", "name", "email"))),
        Org("voedselbank", "Voedselbank Utrecht – uitgiftepunt Lombok",
            "Elke vrijdag halen ruim zeventig huishoudens hier hun pakket. We zoeken altijd "
            "vrijwilligers voor het sorteren en uitdelen.",
            "https://voedselbank-utrecht.example.nl",
            Contact("Damstraat 14, 3531 BW Utrecht", "Henk Bakker",
                    "lombok@voedselbank-utrecht.example.nl", "030 000 1388",
                    ("address", "name", "email"))),
        Org("sport", "Sportvereniging Kanaaleiland",
            "Zaalvoetbal, basketbal en badminton voor alle leeftijden. Kom drie keer gratis "
            "meedoen voordat je lid wordt.",
            "https://kanaaleiland.example.nl",
            Contact("Billitonkade 40, 3531 TK Utrecht", "Youssef Amrani",
                    "secretaris@kanaaleiland.example.nl", "06 0044 1902",
                    ("address", "name", "email"))),
        Org("bieb", "Wijkbibliotheek Lombok",
            "Boeken, kranten, computers en een rustige leesplek. Met het Taalhuis voor "
            "iedereen die beter Nederlands wil leren.",
            "https://bibliotheek-lombok.example.nl",
            Contact("Bankastraat 3, 3531 KE Utrecht", "Ingrid Smit",
                    "lombok@bibliotheek.example.nl", None, ("address", "name", "email"))),
        Org("taalhuis", "Taalhuis Lombok",
            "Vrijwilligers helpen je met lezen, schrijven en praten in het Nederlands. "
            "Gratis, zonder inschrijving.",
            None,
            Contact("Bankastraat 3, 3531 KE Utrecht", "Samira Bouzid",
                    "taalhuis-lombok@example.org", "06 0031 7725", ("address", "name"))),
    ),
    activities=(
        Act("di", "10:00", 120, "Koffieochtend in De Boog",
            "Een kop koffie, een praatje en de krant. Iedereen is welkom, ook als je net in "
            "de wijk woont.", org="boog", venue="boog", every="Elke dinsdag"),
        Act("do", "19:00", 90, "Taalcafé: Nederlands oefenen",
            "Oefen Nederlands in een kleine groep met een vrijwilliger. Alle niveaus zijn "
            "welkom.\n\nAanmelden is niet nodig.",
            org="taalhuis", venue="bieb", every="Elke donderdag"),
        Act("vr", "13:00", 150, "Voedselbank: uitgifte van pakketten",
            "Uitgifte voor ingeschreven klanten. Neem je eigen tassen mee.",
            org="voedselbank", venue="voedselbank", every="Elke vrijdag"),
        Act("wo", "16:00", 90, "Zaalvoetbal voor jongeren (12–16 jaar)",
            "Samen voetballen onder begeleiding van een trainer. Zaalschoenen verplicht.",
            org="sport", venue="Gymzaal Kanaaleiland", every="Elke woensdag",
            contact=Contact(address="Billitonkade 40, 3531 TK Utrecht", name="Youssef Amrani",
                            phone="06 0044 1902", public=("address", "name"))),
        Act("za", "10:30", 45, "Voorlezen voor peuters en kleuters",
            "Prentenboeken voorgelezen door vrijwilligers, met een kleurplaat na afloop.",
            org="bieb", venue="bieb", every="Elke zaterdag"),
        Act("ma", "14:00", 120, "Breicafé bij Els",
            "Samen breien en haken aan de keukentafel. Wol is er genoeg, neem je eigen "
            "naalden mee. Het adres krijg je als je je aanmeldt.",
            every="Om de week op maandag", venue="Bij Els thuis",
            contact=Contact(address="Jan Pieterszoon Coenstraat 27, 3531 EK Utrecht",
                            name="Els Mulder", email="els.mulder@example.org",
                            phone="06 0072 4410", public=("name", "email"))),
        Act(3, "09:00", 60, "Yoga in het park",
            "Rustige yogales voor beginners op het grasveld bij het Bankaplein. Neem een "
            "matje mee. Bij regen gaat het niet door.",
            venue="Park Bankaplein",
            contact=Contact(name="Lotte Willems", email="lotte.willems@example.org",
                            phone="06 0018 3321", public=("email",))),
        Act(5, "10:00", 120, "Opschoonactie Kanaalstraat",
            "We maken de straat en de stoepen samen schoon. Knijpers, handschoenen en "
            "vuilniszakken liggen klaar.",
            org="boog", venue="Kanaalstraat, bij de brug",
            contact=Contact(name="Marieke Visser", email="info@deboog.example.nl",
                            public=("name", "email"))),
        Act(9, "18:00", 150, "Buurtmaaltijd: Surinaams koken",
            "Buren koken voor buren. Deze keer roti en bara. Een bijdrage van € 5 per "
            "persoon; kinderen eten gratis mee.\n\nAanmelden bij de bar van De Boog.",
            org="boog", venue="boog"),
        Act(12, "14:00", 120, "Spreekuur belastingaangifte en toeslagen",
            "Vrijwilligers helpen met de aangifte, huurtoeslag en zorgtoeslag. Neem je DigiD "
            "en je papieren mee.",
            org="boog", venue="boog",
            contact=Contact(name="Peter de Boer", email="spreekuur@deboog.example.nl",
                            phone="030 000 1205", public=("email",))),
        Act(16, "19:30", 120, "Buurtvergadering: plannen voor de Billitonkade",
            "De gemeente laat de plannen voor de nieuwe kade zien. Denk mee en stel je "
            "vragen.", org="boog", venue="boog"),
        Act(19, "17:00", 120, "Buurtborrel op het Bankaplein",
            "Drankjes en hapjes van ondernemers uit de Kanaalstraat. Gewoon langskomen.",
            venue="Bankaplein",
            contact=Contact(name="Anna de Vries", email=ANNA, public=("email",))),
        Act(23, "13:00", 180, "Fietsreparatie-workshop",
            "Leer een band plakken, remmen afstellen en je ketting onderhouden. Gereedschap "
            "is aanwezig.", org="sport", venue="boog"),
        Act(26, "15:00", 120, "Kinderdisco",
            "Dansen, limonade en een dj voor kinderen van 4 tot 10 jaar.", org="boog",
            venue="boog"),
    ),
    offers=(
        Ask("offer", "Aangeboden: ladder te leen",
            "Aluminium ladder van 3 meter. Je kunt hem een paar dagen lenen, even een "
            "berichtje sturen.", 45,
            Contact(name="Anna", email=ANNA, address="Bankastraat 50, 3531 KH Utrecht",
                    public=("name", "email")), ago=2),
        Ask("request", "Gevraagd: hulp met boodschappen",
            "Na een operatie kan ik een paar weken niet fietsen. Wie kan één keer per week "
            "boodschappen voor me doen bij de supermarkt aan de Kanaalstraat?", 21,
            Contact(name="Mevrouw Hoekstra", email="r.hoekstra@example.org",
                    phone="030 000 4417", address="Damstraat 61, 3531 BR Utrecht",
                    public=("email",)), ago=1),
        Ask("offer", "Aangeboden: bijles wiskunde",
            "Ik studeer wiskunde en geef bijles aan scholieren van de onderbouw. Eerste les "
            "gratis.", 60,
            Contact(name="Daan", email="daan.bijles@example.nl", phone="06 0090 1123",
                    public=("name", "email"))),
        Ask("request", "Gevraagd: oppas voor onze kat",
            "Van 20 tot 27 van de maand zijn we weg. Wie wil twee keer per dag eten geven?",
            30, Contact(email=ANNA, public=("email",)), ago=5),
        Ask("offer", "Aangeboden: kinderkleding maat 98–110",
            "Twee dozen met nette kinderkleding, gratis op te halen.", 14,
            Contact(name="Anna", email=ANNA, public=("email",)), ago=8),
    ),
    co_managers=(("boog", BRAM),),
)

OOG_IN_AL = Place(
    slug="oog-in-al",
    name="Oog in Al",
    city="Utrecht",
    postcodes=("3532", "3533"),
    description=(
        "Oog in Al is een groene wijk aan het Merwedekanaal en het Park Oog in Al, met "
        "ruime lanen, een tennisclub en een actieve bewonersvereniging."
    ),
    owner=BRAM,
    organisations=(
        Org("zaal", "Wijkcentrum De Groene Zaal",
            "Ontmoetingsplek voor de wijk, met een zaal voor lezingen, concerten en "
            "vergaderingen.",
            "https://degroenezaal.example.nl",
            Contact("Everard Meysterlaan 10, 3533 AC Utrecht", "Joke van Leeuwen",
                    "info@degroenezaal.example.nl", "030 000 2210",
                    ("address", "name", "email", "phone"))),
        Org("tennis", "Tennisclub Het Oog",
            "Twaalf gravelbanen in het park. Beginners en gevorderden zijn welkom.",
            "https://tennisclubhetoog.example.nl",
            Contact("Park Oog in Al 2, 3533 AN Utrecht", "Martin Kok",
                    "bestuur@tennisclubhetoog.example.nl", "06 0055 8812",
                    ("address", "name", "email"))),
        Org("repair", "Repair Café Oog in Al",
            "Gooi het niet weg, repareer het samen met onze vrijwilligers: kleding, "
            "lampen, fietsen en kleine apparaten.",
            None,
            Contact("Everard Meysterlaan 10, 3533 AC Utrecht", "Gerard Hendriks",
                    "repaircafe.ooginal@example.org", "06 0062 0034", ("address", "email"))),
        Org("speeltuin", "Speeltuinvereniging De Bramenhof",
            "Speeltuin met zandbak, waterpomp en een kantine die door ouders draaiende "
            "wordt gehouden.",
            "https://debramenhof.example.nl",
            Contact("Van Heemstraweg 1, 3533 TG Utrecht", "Sanne Dekker",
                    "bestuur@debramenhof.example.nl", None, ("address", "name", "email"))),
    ),
    activities=(
        Act("1e za", "10:00", 180, "Repair Café",
            "Neem je kapotte spullen mee en repareer ze samen met een vrijwilliger. "
            "Koffie en thee staan klaar.", org="repair", venue="zaal",
            every="Elke eerste zaterdag van de maand"),
        Act("ma", "09:30", 90, "Wandelgroep langs het Merwedekanaal",
            "Een stevige wandeling van ongeveer zes kilometer in een gezellig tempo.",
            venue="Brug bij de Thomas à Kempisweg", every="Elke maandag",
            contact=Contact(name="Wim van Dijk", email="wim.vandijk@example.org",
                            phone="06 0014 9076", public=("name", "email"))),
        Act("za", "09:00", 60, "Tennisles voor beginners",
            "Leer de basis van het tennissen. Rackets zijn te leen.", org="tennis",
            venue="tennis", every="Elke zaterdag"),
        Act("wo", "14:00", 120, "Jeu de boules in het park",
            "Een potje jeu de boules op de baan bij de vijver. Ballen zijn aanwezig.",
            venue="Jeu-de-boulesbaan Park Oog in Al", every="Elke woensdag",
            contact=Contact(name="Truus Bos", phone="030 000 2256", public=("name",))),
        Act("di", "10:00", 120, "Computerhulp voor senioren",
            "Vragen over je telefoon, tablet of laptop? Vrijwilligers helpen je op weg.",
            org="zaal", venue="zaal", every="Elke dinsdag"),
        Act(6, "10:00", 180, "Moestuinwerkdag",
            "We zaaien, wieden en oogsten samen in de buurtmoestuin. Laarzen aan!",
            venue="Buurtmoestuin achter De Groene Zaal",
            contact=Contact(name="Bram Jansen", email=BRAM, public=("email",))),
        Act(8, "20:00", 90, "Lezing: honderd jaar Oog in Al",
            "Historicus Kees Verbeek vertelt over het ontstaan van de wijk, met oude foto's "
            "en kaarten.", org="zaal", venue="zaal"),
        Act(13, "13:00", 240, "Speeltuindag De Bramenhof",
            "Springkussen, schminken en een speurtocht voor kinderen tot 12 jaar.",
            org="speeltuin", venue="speeltuin"),
        Act(15, "20:00", 150, "Filmavond: Nederlandse klassiekers",
            "We kijken samen een Nederlandse filmklassieker. Met popcorn.",
            org="zaal", venue="zaal"),
        Act(20, "15:00", 90, "Klassiek concert in De Groene Zaal",
            "Strijkkwartet uit de wijk speelt Haydn en Mendelssohn. Toegang gratis, een "
            "vrijwillige bijdrage is welkom.", org="zaal", venue="zaal"),
        Act(27, "11:00", 180, "Kledingruilbeurs",
            "Breng kleding die je niet meer draagt en neem iets anders mee.",
            venue="zaal",
            contact=Contact(name="Bram Jansen", email=BRAM, public=("email",))),
        Act(33, "18:00", 180, "Buurtdiner met nieuwe buren",
            "Ben je pas verhuisd naar Oog in Al? Eet mee en leer de buren kennen. Iedereen "
            "neemt een gerecht mee.", venue="zaal",
            contact=Contact(name="Bram Jansen", email=BRAM, phone="06 0047 3390",
                            public=("name", "email"))),
        Act(34, "10:00", 420, "Tennistoernooi voor de buurt",
            "Dubbeltoernooi voor leden en niet-leden. Inschrijven kan tot een week van "
            "tevoren.", org="tennis", venue="tennis"),
    ),
    offers=(
        Ask("offer", "Aangeboden: boormachine te leen",
            "Klopboormachine met boren voor hout, metaal en steen.", 60,
            Contact(name="Bram", email=BRAM, address="Cornelis Trooststraat 12, 3533 HM Utrecht",
                    public=("name", "email")), ago=4),
        Ask("request", "Gevraagd: iemand die mee wil wandelen",
            "Ik ben 82 en loop niet graag alleen. Wie wil er af en toe een rondje door het "
            "park met mij lopen?", 40,
            Contact(name="Meneer Peters", email="h.peters@example.org", phone="030 000 2291",
                    public=("email",)), ago=2),
        Ask("offer", "Aangeboden: stekjes en zaden uit eigen tuin",
            "Tomaten, pompoen en allerlei vaste planten. Gratis op te halen.", 30,
            Contact(email="tuinier.ooginal@example.nl", public=("email",)), ago=6),
        Ask("request", "Gevraagd: hulp bij het invullen van formulieren",
            "Wie kan mij helpen met een aanvraag bij de gemeente? Ik betaal met koffie en "
            "taart.", 25,
            Contact(name="Sara", email="sara.hulp@example.org", public=("email",)), ago=1),
    ),
)

ZUILEN = Place(
    slug="zuilen",
    name="Zuilen",
    city="Utrecht",
    postcodes=("3551", "3552", "3553"),
    description=(
        "Zuilen, ooit het dorp van de arbeiders van Werkspoor, is nu een wijk met veel "
        "jonge gezinnen, de Amsterdamsestraatweg en de Vecht om de hoek."
    ),
    owner=FATIMA,
    organisations=(
        Org("geuzenhuis", "Buurtcentrum Het Geuzenhuis",
            "Buurtcentrum met een inloop, activiteiten voor jong en oud en een "
            "sociaal spreekuur.",
            "https://hetgeuzenhuis.example.nl",
            Contact("Prinses Christinalaan 5, 3552 BA Utrecht", "Mohamed Ouali",
                    "info@hetgeuzenhuis.example.nl", "030 000 3301",
                    ("address", "name", "email", "phone"))),
        Org("voedselbank", "Voedselbank Utrecht – uitgiftepunt Zuilen",
            "Uitgiftepunt voor Zuilen en Ondiep. Vrijwilligers gezocht voor de dinsdag.",
            "https://voedselbank-utrecht.example.nl",
            Contact("Marnixlaan 128, 3553 HA Utrecht", "Karin Vos",
                    "zuilen@voedselbank-utrecht.example.nl", "030 000 3390",
                    ("address", "name", "email"))),
        Org("bieb", "Bibliotheek Zuilen",
            "Een bibliotheek met studieplekken, huiswerkhulp en wekelijkse activiteiten.",
            "https://bibliotheek-zuilen.example.nl",
            Contact("Rodekruisweg 2, 3551 CA Utrecht", "Ilse Jacobs",
                    "zuilen@bibliotheek.example.nl", None, ("address", "email"))),
        Org("sport", "SV Zuilen Vooruit",
            "Voetbalvereniging met teams voor jongens, meiden en veteranen.",
            "https://zuilenvooruit.example.nl",
            Contact("Sportpark De Vecht, Daalseweg 10, 3551 EA Utrecht", "Ronald Meijer",
                    "secretariaat@zuilenvooruit.example.nl", "06 0083 5510",
                    ("address", "name", "email"))),
        Org("senioren", "Seniorenvereniging Zuilen Samen",
            "Uitstapjes, gymnastiek en gezelligheid voor 55-plussers.",
            None,
            Contact(None, "Riet van den Berg", "zuilensamen@example.org", "030 000 3345",
                    ("name", "email", "phone"))),
    ),
    activities=(
        Act("ma", "09:30", 150, "Inloopochtend Het Geuzenhuis",
            "Binnenlopen voor koffie, een vraag of gewoon gezelschap.",
            org="geuzenhuis", venue="geuzenhuis", every="Elke maandag en woensdag"),
        Act("di", "14:00", 120, "Voedselbank: uitgifte van pakketten",
            "Uitgifte voor ingeschreven klanten. Neem je pasje mee.",
            org="voedselbank", venue="voedselbank", every="Elke dinsdag"),
        Act("do", "15:30", 120, "Huiswerkbegeleiding",
            "Hulp bij huiswerk voor leerlingen van groep 6 tot en met de tweede klas.",
            org="bieb", venue="bieb", every="Elke dinsdag en donderdag"),
        Act("vr", "10:00", 60, "Seniorengym",
            "Rustige gymnastiek op muziek, ook op een stoel mogelijk.",
            org="senioren", venue="geuzenhuis", every="Elke vrijdag"),
        Act("wo", "17:00", 75, "Voetbaltraining voor meiden (8–12 jaar)",
            "Kom een keer meetrainen. Voetbalschoenen mogen, gympen ook.",
            org="sport", venue="sport", every="Elke woensdag"),
        Act("do", "13:30", 150, "Naaicafé",
            "Samen kleding maken en herstellen. Er zijn twee naaimachines; neem je eigen "
            "stof mee.", every="Om de week op donderdag", venue="Bij Ans thuis",
            contact=Contact(address="Burgemeester Norbruislaan 77, 3554 EE Utrecht",
                            name="Ans Kuipers", email="ans.kuipers@example.org",
                            phone="06 0027 6644", public=("email",)), owner=FATIMA),
        Act(4, "14:00", 150, "Bingomiddag",
            "Mooie prijzen en een gezellige middag. Een kaart kost € 1.",
            org="senioren", venue="geuzenhuis"),
        Act(11, "16:00", 60, "Spreekuur wijkagent",
            "De wijkagent beantwoordt vragen over veiligheid in de buurt.",
            org="geuzenhuis", venue="geuzenhuis"),
        Act(14, "19:30", 90, "Workshop energie besparen",
            "Energiecoaches vertellen hoe je met kleine aanpassingen je energierekening "
            "verlaagt. Je krijgt een gratis tochtstrip-pakket.",
            org="geuzenhuis", venue="geuzenhuis",
            contact=Contact(name="Fatima El Amrani", email=FATIMA, public=("email",))),
        Act(17, "13:30", 120, "Wandeling: het verhaal van Zuilen en Werkspoor",
            "Een gids vertelt over de fabriek, de arbeiderswoningen en het leven in het "
            "oude Zuilen.", venue="Verzamelen bij Het Geuzenhuis",
            contact=Contact(address="Prinses Christinalaan 5, 3552 BA Utrecht",
                            name="Hans de Graaf", email="hans.degraaf@example.org",
                            public=("address", "name", "email"))),
        Act(21, "10:00", 300, "Boekenmarkt",
            "Tweedehands boeken voor een prikje. De opbrengst gaat naar de leesclub.",
            org="bieb", venue="bieb"),
        Act(24, "19:30", 150, "Spelletjesavond",
            "Bordspellen, kaartspellen en een quiz. Neem gerust je eigen spel mee.",
            venue="geuzenhuis",
            contact=Contact(name="Fatima El Amrani", email=FATIMA, phone="06 0036 1177",
                            public=("email",))),
        Act(30, "11:00", 240, "Open dag SV Zuilen Vooruit",
            "Kennismaken met de club: trainingen, penaltybokaal en een poffertjeskraam.",
            org="sport", venue="sport"),
        Act(37, "15:00", None, "Sport- en spelmiddag in het park",
            "Voor kinderen van 6 tot 12 jaar. Tot de limonade op is.",
            org="sport", venue="Zuilense Ring, grasveld bij de speeltuin"),
    ),
    offers=(
        Ask("offer", "Aangeboden: fiets repareren",
            "Ik ben handig met fietsen en help je graag met een lekke band of losse ketting.",
            50, Contact(name="Karim", email="karim.fiets@example.nl", phone="06 0051 2290",
                        public=("name", "email")), ago=3),
        Ask("request", "Gevraagd: vervoer naar het ziekenhuis",
            "Wie kan mij op donderdagochtend naar het Antonius brengen? Benzinegeld "
            "betaal ik natuurlijk.", 14,
            Contact(name="Mevrouw De Wit", email="t.dewit@example.org", phone="030 000 3321",
                    address="Marnixlaan 40, 3553 HB Utrecht", public=("email",)), ago=1),
        Ask("offer", "Aangeboden: Nederlands oefenen aan de keukentafel",
            "Gepensioneerd docent, wil graag met iemand Nederlands oefenen. Een uur per "
            "week, gratis.", 60, Contact(email=FATIMA, public=("email",)), ago=7),
        Ask("request", "Gevraagd: bakfiets lenen voor een verhuizing",
            "Voor een paar kleine meubels, op zaterdag.", 10,
            Contact(name="Fatima", email=FATIMA, public=("email",)), ago=2),
        Ask("offer", "Aangeboden: bankstel gratis op te halen",
            "Driezitsbank, nog goed. Wie het eerst komt.", -2,
            Contact(email="bankstel.zuilen@example.nl", public=("email",)), ago=20),
    ),
)

DEMO_PLACES: tuple[Place, ...] = (LOMBOK, OOG_IN_AL, ZUILEN)
DEMO_SLUGS = tuple(place.slug for place in DEMO_PLACES)


def paragraphs(text: str) -> str:
    """Plain text with blank lines between paragraphs as the <p> HTML the sanitiser keeps."""
    return "".join(f"<p>{html.escape(part.strip(), quote=False)}</p>"
                   for part in text.split("\n\n") if part.strip())


def _occurrence(today: date, when: int | str) -> date:
    if isinstance(when, int):
        return today + timedelta(days=when)
    if when.startswith("1e "):
        weekday = _DAY[when[3:]]
        month = date(today.year, today.month, 1)
        while True:
            first = month + timedelta(days=(weekday - month.weekday()) % 7)
            if first > today:
                return first
            month = (month + timedelta(days=32)).replace(day=1)
    weekday = _DAY[when]
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def seed_demo(today: date) -> dict[str, int] | None:
    """Add the demo accounts and whichever demo neighbourhoods are missing, with their
    content. Returns counts of what was added, or None when everything was there."""
    users, accounts_made = _ensure_accounts()
    existing = set(
        db.session.scalars(select(Neighbourhood.slug).where(Neighbourhood.slug.in_(DEMO_SLUGS)))
    )
    counts = {"neighbourhoods": 0, "organisations": 0, "activities": 0, "offers": 0,
              "accounts": accounts_made}
    now = utcnow()
    for place in DEMO_PLACES:
        if place.slug in existing:
            continue
        _add_place(place, users, today, now, counts)
    db.session.commit()
    return counts if any(counts.values()) else None


def _add_place(place: Place, users: dict[str, User], today: date, now: datetime,
               counts: dict[str, int]) -> None:
    hood = Neighbourhood(name=place.name, slug=place.slug, city=place.city,
                         description=place.description, created_at=now - timedelta(days=120))
    hood.postcodes = [NeighbourhoodPostcode(postcode=p) for p in place.postcodes]
    db.session.add(hood)
    counts["neighbourhoods"] += 1
    owner = users[place.owner]

    orgs: dict[str, Organisation] = {}
    orgs_by_key = {spec.key: spec for spec in place.organisations}
    for n, spec in enumerate(place.organisations):
        stamp = now - timedelta(days=100 - n)
        org = Organisation(
            neighbourhood=hood, owner=owner, status="published", title=spec.title,
            description=paragraphs(spec.text), website=spec.website,
            created_at=stamp, updated_at=stamp, **spec.contact.columns(),
        )
        orgs[spec.key] = org
        db.session.add(org)
    counts["organisations"] += len(orgs)

    activities: list[Activity] = []
    for n, spec in enumerate(place.activities):
        day = _occurrence(today, spec.when)
        hour, minute = (int(x) for x in spec.at.split(":"))
        starts = datetime(day.year, day.month, day.day, hour, minute)
        contact = spec.contact
        if contact == Contact() and spec.org:
            # The organiser's details, kept hidden: visitors find the organisation's
            # public details on its own page, co-managers see these.
            org_contact = orgs_by_key[spec.org].contact
            contact = Contact(name=org_contact.name, email=org_contact.email,
                              phone=org_contact.phone)
        venue_org = orgs.get(spec.venue or "")
        location = venue_org.title if venue_org is not None else spec.venue
        stamp = now - timedelta(days=30 - n % 20, hours=n)
        activity = Activity(
            neighbourhood=hood, owner=users[spec.owner or place.owner], status="published",
            organisation=orgs[spec.org] if spec.org else None,
            title=spec.title, description=paragraphs(spec.text),
            starts_at=starts,
            ends_at=starts + timedelta(minutes=spec.minutes) if spec.minutes else None,
            location_name=location, recurrence=spec.every,
            created_at=stamp, updated_at=stamp, **contact.columns(),
        )
        # One-off gatherings take sign-ups, some with a limited number of places.
        if not spec.every and n % 2 == 0:
            activity.signups_enabled = True
            activity.max_places = 12 if n % 4 == 0 else None
        db.session.add(activity)
        activities.append(activity)
    counts["activities"] += len(place.activities)

    db.session.flush()
    for activity in activities:
        set_categories(activity, demo_categories(activity.title, activity.description))
    db.session.add(NewsItem(
        neighbourhood=hood, owner=users["admin@example.org"], status="published",
        title=f"Welkom op Wijk {place.name}",
        description=paragraphs(
            f"Op deze pagina vind je wat er te doen is in {place.name}: activiteiten, "
            "organisaties en buren die iets aanbieden of zoeken.\n\nPersoonlijke gegevens "
            "blijven verborgen tot de eigenaar ze openbaar maakt. Wil je de nieuwsbrief? "
            "Zet het vinkje aan op je accountpagina."),
        created_at=now - timedelta(days=3), updated_at=now - timedelta(days=3)))

    for spec in place.offers:
        stamp = now - timedelta(days=spec.ago, hours=spec.days % 7)
        db.session.add(Offer(
            neighbourhood=hood, owner=users[spec.owner or place.owner], status="published",
            offer_kind=spec.offer_kind, title=spec.title, description=paragraphs(spec.text),
            expires_on=today + timedelta(days=spec.days),
            created_at=stamp, updated_at=stamp, **spec.contact.columns(),
        ))
    counts["offers"] += len(place.offers)

    db.session.flush()
    for org_key, email in place.co_managers:
        db.session.add(ItemManager(item_id=orgs[org_key].id, user_id=users[email].id))


CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "sport": ("yoga", "sport", "voetbal", "wandel", "fiets", "zwem", "beweg", "gym", "dans"),
    "culture": ("muziek", "film", "theater", "kunst", "voorlees", "boek", "expositie", "koor"),
    "care": ("zorg", "mantelzorg", "voedselbank", "spreekuur", "hulp", "senior", "gezond"),
    "children": ("kind", "peuter", "kleuter", "speeltuin", "jeugd", "tiener", "ouders"),
    "meeting": ("koffie", "ontmoet", "borrel", "buurtmaaltijd", "inloop", "café", "feest"),
    "learning": ("taal", "les", "cursus", "huiswerk", "computer", "oefenen", "workshop"),
    "nature": ("tuin", "groen", "natuur", "opschoon", "plant", "park"),
    "food": ("eten", "koken", "maaltijd", "soep", "markt", "lunch", "ontbijt"),
}


def demo_categories(title: str, description: str) -> list[str]:
    """Categories for a demo activity, from the words in it."""
    text = f"{title} {description}".lower()
    return [code for code, words in CATEGORY_WORDS.items() if any(w in text for w in words)]


# --- benchmark data ------------------------------------------------------------------

CITIES: tuple[tuple[str, int, int], ...] = (
    # city, first and last 4-digit postcode of its range
    ("Amsterdam", 1011, 1109), ("Rotterdam", 3011, 3089), ("Den Haag", 2491, 2599),
    ("Utrecht", 3511, 3585), ("Eindhoven", 5611, 5658), ("Groningen", 9711, 9747),
    ("Tilburg", 5011, 5049), ("Almere", 1311, 1364), ("Breda", 4811, 4839),
    ("Nijmegen", 6511, 6546), ("Haarlem", 2011, 2037), ("Arnhem", 6811, 6846),
    ("Zwolle", 8011, 8043), ("Leiden", 2311, 2334), ("Maastricht", 6211, 6229),
    ("Amersfoort", 3811, 3829), ("Enschede", 7511, 7548), ("Deventer", 7411, 7429),
    ("Delft", 2611, 2629), ("Leeuwarden", 8911, 8939),
)
PLACE_NAMES = (
    "Centrum", "Oost", "West", "Noord", "Zuid", "Bloemenbuurt", "Vogelwijk",
    "Schildersbuurt", "Rivierenbuurt", "Componistenbuurt", "Bomenbuurt", "Stationsbuurt",
    "Havenkwartier", "Oude Dorp", "Parkwijk", "Sterrenwijk", "Dichtersbuurt",
    "Professorenbuurt", "Kerkbuurt", "Molenwijk", "Indische Buurt", "Zeeheldenbuurt",
    "Spoorzone", "Tuindorp",
)
PLACE_TEXTS = (
    "{name} is een gemengde wijk in {city} met veel groen, een basisschool op loopafstand "
    "en buren die elkaar kennen.",
    "In {name} wonen jonge gezinnen, studenten en ouderen door elkaar. Er is altijd wel "
    "iets te doen in het buurthuis.",
    "{name} in {city}: smalle straten, oude huizen en een actieve bewonersvereniging.",
    "Een rustige wijk aan de rand van {city}, met een park, sportvelden en een "
    "wekelijkse markt.",
)
STREETS = (
    "Kerkstraat", "Dorpsstraat", "Schoolstraat", "Molenweg", "Julianastraat",
    "Wilhelminastraat", "Beatrixlaan", "Stationsweg", "Parkweg", "Lindelaan", "Eikenlaan",
    "Merelstraat", "Prins Hendrikstraat", "Oranjestraat", "Vondelstraat", "Hoofdstraat",
    "Nieuwstraat", "Emmalaan", "Rembrandtlaan", "Beukenlaan", "Zonnebloemstraat", "Marktplein",
)
POSTCODE_LETTERS = "ABCEGHJKLMNPRTVWXZ"
FIRST_NAMES = (
    "Anna", "Bram", "Daan", "Emma", "Fatima", "Sem", "Julia", "Lucas", "Noor", "Mohamed",
    "Sophie", "Thomas", "Lotte", "Youssef", "Sanne", "Jan", "Mila", "Ahmed", "Eva", "Finn",
    "Ayşe", "Kees", "Ingrid", "Levi", "Zoë", "Henk", "Maria", "Tim", "Fleur", "Mehmet",
    "Ria", "Joost", "Amira", "Willem", "Lisa", "Stijn", "Nadia", "Pieter", "Yara", "Ruben",
)
LAST_NAMES = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
    "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters",
    "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
    "de Graaf", "van der Meer", "Yilmaz", "El Amrani", "Bouzid", "Kaya", "Ouali",
    "Kok", "Jacobs", "Willems", "Kuipers", "Verbeek", "Sedney", "Pinas", "Nguyen",
)
ORG_KINDS = (
    ("Buurthuis {name}", "Het buurthuis: koffie, cursussen en spreekuren voor de buurt."),
    ("Sportvereniging {name}", "Voetbal, gym en badminton voor jong en oud."),
    ("Bibliotheek {name}", "Boeken lenen, studeren en hulp met de computer."),
    ("Voedselbank {city} – uitgiftepunt {name}",
     "Wekelijkse uitgifte van voedselpakketten. Vrijwilligers welkom."),
    ("Speeltuinvereniging {name}", "Speeltuin met kantine, gerund door ouders uit de buurt."),
    ("Repair Café {name}", "Samen kapotte spullen repareren in plaats van weggooien."),
    ("Taalhuis {name}", "Gratis hulp met lezen, schrijven en Nederlands praten."),
    ("Buurtmoestuin {name}", "Samen groente kweken op een braakliggend stuk grond."),
    ("Seniorenvereniging {name}", "Gezelligheid, uitjes en bewegen voor 55-plussers."),
    ("Bewonersvereniging {name}", "Komt op voor de belangen van de bewoners van de wijk."),
)
# title, description, start times, (shortest, longest) duration in minutes
ACTIVITY_KINDS: tuple[tuple[str, str, tuple[str, ...], tuple[int, int]], ...] = (
    ("Koffieochtend", "Een kop koffie en een praatje met buren.",
     ("09:30", "10:00", "10:30"), (90, 150)),
    ("Taalcafé", "Nederlands oefenen in een kleine groep.", ("10:00", "19:00", "19:30"),
     (60, 120)),
    ("Repair Café", "Repareer je spullen samen met vrijwilligers.", ("10:00", "13:00"),
     (180, 240)),
    ("Wandelgroep", "Een wandeling van een uur door de buurt.", ("09:00", "09:30", "14:00"),
     (60, 120)),
    ("Yoga voor beginners", "Rustige yoga, neem een matje mee.", ("08:30", "09:00", "19:00"),
     (60, 75)),
    ("Buurtborrel", "Drankjes en hapjes, gewoon langskomen.", ("17:00", "17:30", "20:00"),
     (120, 180)),
    ("Kinderdisco", "Dansen en limonade voor kinderen.", ("14:00", "15:00"), (90, 120)),
    ("Schaakclub", "Schaken voor alle niveaus; borden zijn aanwezig.", ("19:30", "20:00"),
     (120, 180)),
    ("Moestuinwerkdag", "Samen zaaien, wieden en oogsten.", ("09:30", "10:00", "13:00"),
     (120, 240)),
    ("Spelletjesmiddag", "Bord- en kaartspellen voor jong en oud.", ("13:30", "14:00"),
     (120, 180)),
    ("Breicafé", "Samen breien en haken.", ("10:00", "14:00", "19:30"), (90, 150)),
    ("Computerhulp voor senioren", "Hulp met je telefoon, tablet of laptop.",
     ("10:00", "13:30"), (90, 120)),
    ("Buurtmaaltijd", "Buren koken voor buren. Aanmelden vooraf.", ("17:30", "18:00"),
     (120, 180)),
    ("Voorleesuurtje", "Prentenboeken voorgelezen voor peuters en kleuters.",
     ("10:30", "15:30"), (30, 60)),
    ("Huiswerkbegeleiding", "Hulp met huiswerk voor basisschool en brugklas.",
     ("15:30", "16:00"), (90, 120)),
    ("Seniorengym", "Bewegen op muziek, ook zittend.", ("10:00", "11:00"), (45, 60)),
    ("Zaalvoetbal", "Samen voetballen onder begeleiding.", ("16:00", "19:00", "20:30"),
     (60, 90)),
    ("Opschoonactie", "Samen de buurt schoonmaken; materiaal ligt klaar.",
     ("10:00", "13:00"), (90, 150)),
    ("Buurtvergadering", "Praat mee over plannen voor de wijk.", ("19:30", "20:00"),
     (90, 120)),
    ("Filmavond", "Samen een film kijken, met popcorn.", ("19:30", "20:00"), (120, 150)),
    ("Lezing", "Een spreker uit de buurt vertelt.", ("14:00", "19:30", "20:00"), (60, 90)),
    ("Kledingruilbeurs", "Breng kleding mee en ruil.", ("11:00", "13:00"), (120, 180)),
    ("Spreekuur", "Vragen over geldzaken, formulieren of toeslagen.", ("09:00", "13:30"),
     (60, 120)),
    ("Bingo", "Gezellige bingo met mooie prijzen.", ("14:00", "19:30"), (120, 150)),
    ("Rommelmarkt", "Tweedehands spullen voor een prikje.", ("09:00", "10:00"), (240, 360)),
    ("Naaicafé", "Kleding maken en herstellen.", ("13:30", "19:00"), (120, 150)),
    ("Fietsreparatie-workshop", "Leer een band plakken en remmen afstellen.",
     ("10:00", "13:00"), (120, 180)),
    ("Muziekmiddag", "Buurtbewoners maken samen muziek.", ("14:00", "15:00"), (90, 120)),
)
ACTIVITY_SUFFIXES = (
    "", "", "", " voor iedereen", " voor 55-plussers", " voor kinderen (6–12 jaar)",
    " voor ouders en kinderen", " voor nieuwe buren", " in {venue}", " in {venue}",
    " – {place}", " met de buren",
)
RECURRENCES = ("Elke {day}", "Elke {day}", "Om de week op {day}",
               "Elke {day}, behalve in de schoolvakanties")
OPEN_VENUES = ("Wijkpark", "Speeltuin", "Schoolplein", "Kerkzaal", "Marktplein",
               "Sporthal", "Gemeenschapshuis")
OFFER_TEMPLATES = (
    ("offer", "Aangeboden: ladder te leen", "Ladder van drie meter, een paar dagen te leen."),
    ("offer", "Aangeboden: boormachine te leen", "Met boren voor hout en steen."),
    ("offer", "Aangeboden: hulp in de tuin", "Ik help graag met snoeien en maaien."),
    ("offer", "Aangeboden: bijles rekenen", "Voor basisschoolleerlingen, eerste les gratis."),
    ("offer", "Aangeboden: kinderkleding", "Nette kleding, gratis op te halen."),
    ("offer", "Aangeboden: fiets repareren", "Lekke band of losse ketting? Ik help je."),
    ("request", "Gevraagd: hulp met boodschappen", "Een keer per week, voor een paar weken."),
    ("request", "Gevraagd: oppas voor de kat", "Twee keer per dag eten geven."),
    ("request", "Gevraagd: vervoer naar het ziekenhuis", "Op een doordeweekse ochtend."),
    ("request", "Gevraagd: iemand om mee te wandelen", "Af en toe een rondje door de wijk."),
    ("request", "Gevraagd: bakfiets lenen", "Voor een kleine verhuizing op zaterdag."),
)

ITEM_COLUMNS = tuple(c.name for c in Item.__table__.columns if c.name != "id")


def _chunks(rows: Iterable[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(table, rows: Iterable[dict]) -> int:
    total = 0
    for chunk in _chunks(rows):
        db.session.execute(insert(table), chunk)
        total += len(chunk)
    return total


def _scalar_defaults(table) -> dict[str, Any]:
    """Column defaults that Core executemany would not fill in for keys we pass as None."""
    return {
        column.name: column.default.arg
        for column in table.columns
        if column.default is not None and column.default.is_scalar
    }


ITEM_SCALAR_DEFAULTS = _scalar_defaults(Item.__table__)


def _item_row(**values: Any) -> dict[str, Any]:
    """A full row for the item table: executemany needs the same keys in every row, and
    `kind` must be set by hand because Core inserts skip the polymorphic identity."""
    row = dict.fromkeys(ITEM_COLUMNS)
    row.update(ITEM_SCALAR_DEFAULTS)
    row.update(status="published", description="")
    row.update(values)
    return row


def _person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    ascii_last = last.lower().replace(" ", "")
    ascii_first = first.lower().replace("ş", "s").replace("ë", "e")
    return f"{first} {last}", f"{ascii_first}.{ascii_last}{rng.randint(1, 99)}@example.nl"


def _phone(rng: random.Random) -> str:
    # Subscriber numbers starting with 0 are not handed out, so these reach nobody.
    if rng.random() < 0.6:
        return f"06 0{rng.randint(0, 9_999_999):07d}"
    return f"0{rng.choice((10, 20, 30, 40, 50, 70))} 0{rng.randint(0, 999_999):06d}"


def _address(rng: random.Random, postcode: str | None, city: str) -> str:
    letters = rng.choice(POSTCODE_LETTERS) + rng.choice(POSTCODE_LETTERS)
    code = f"{postcode} {letters} " if postcode else ""
    return f"{rng.choice(STREETS)} {rng.randint(1, 180)}, {code}{city}"


def _slugify(text_: str) -> str:
    return "-".join(text_.lower().replace("'", "").split())


@dataclass
class _Hood:
    id: int
    name: str
    city: str
    postcode: str | None
    orgs: list[tuple[int, str, str | None]] = field(default_factory=list)


def generate_bulk(*, activities: int, neighbourhoods: int, users: int, seed: int,
                  today: date, echo: Callable[[str], None] = click.echo) -> dict[str, int]:
    """Benchmark data: neighbourhoods and users topped up to their totals, then
    `activities` new activities. Core inserts in chunks; one password hash for all."""
    started = time.perf_counter()

    def step(message: str) -> None:
        echo(f"  [{time.perf_counter() - started:6.1f} s] {message}")

    echo("Generating benchmark data:")
    password_hash = generate_password_hash(DEMO_PASSWORD)
    made_users = _bulk_users(users, password_hash, random.Random(f"{seed}-users"))
    db.session.commit()
    step(f"{made_users} users added (total {_count(User)})")

    made_places, made_orgs, made_offers = _bulk_neighbourhoods(
        neighbourhoods, random.Random(f"{seed}-places"), today)
    db.session.commit()
    step(f"{made_places} neighbourhoods added (total {_count(Neighbourhood)}), with "
         f"{made_orgs} organisations and {made_offers} offers and requests")

    # A later issue brings newsletter subscribers (10,000 in one neighbourhood for the
    # benchmark); their table does not exist yet. Add a `_bulk_subscribers` step here.

    existing = _count(Activity)
    made_activities = _bulk_activities(
        activities, random.Random(f"{seed}-activities-{existing}"), today)
    db.session.commit()
    step(f"{made_activities} activities added (total {existing + made_activities})")

    if made_users or made_places or made_activities:
        # Fresh planner statistics, so benchmark queries use the indexes they would.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        step("statistics updated (ANALYZE)")
    return {"users": made_users, "neighbourhoods": made_places,
            "organisations": made_orgs, "offers": made_offers, "activities": made_activities}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _bulk_users(total: int, password_hash: str, rng: random.Random) -> int:
    missing = total - _count(User)
    if missing <= 0:
        return 0
    taken = set(db.session.scalars(select(User.email).where(User.email.like("bewoner%"))))
    first_new_id = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    now = utcnow()

    def rows() -> Iterator[dict]:
        n, made = 0, 0
        while made < missing:
            n += 1
            email = GENERATED_EMAIL.format(n)
            if email in taken:
                continue
            made += 1
            joined = now - timedelta(seconds=rng.randint(3600, 3 * 365 * 86400))
            verified = joined + timedelta(minutes=rng.randint(1, 600))
            yield {
                "email": email,
                "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "password_hash": password_hash,
                "email_verified_at": verified if rng.random() < 0.97 else None,
                "created_at": joined,
                "locale": "en" if rng.random() < 0.08 else None,
                "is_admin": False,
            }

    made = _insert(User.__table__, rows())
    config = current_app.config
    documents = (("terms", config["TERMS_VERSION"]), ("privacy", config["PRIVACY_VERSION"]),
                 ("age", str(config["MINIMUM_AGE"])))
    new_users = db.session.execute(
        select(User.id, User.created_at).where(User.id >= first_new_id).order_by(User.id)
    ).all()
    _insert(Consent.__table__, (
        {"user_id": user_id, "document": document, "version": version,
         "accepted_at": joined, "withdrawn_at": None}
        for user_id, joined in new_users for document, version in documents
    ))
    return made


def _place_candidates(rng: random.Random) -> Iterator[tuple[str, str]]:
    """(name, city) pairs, round-robin over the cities so every city gets some."""
    names = {city: rng.sample(PLACE_NAMES, len(PLACE_NAMES)) for city, _, _ in CITIES}
    round_ = 0
    while True:
        for city, _, _ in CITIES:
            name = names[city][round_ % len(PLACE_NAMES)]
            lap = round_ // len(PLACE_NAMES)
            yield (f"{name} {lap + 1}" if lap else name), city
        round_ += 1


def _bulk_neighbourhoods(total: int, rng: random.Random,
                         today: date) -> tuple[int, int, int]:
    missing = total - _count(Neighbourhood)
    if missing <= 0:
        return 0, 0, 0
    slugs = set(db.session.scalars(select(Neighbourhood.slug)))
    used = set(db.session.scalars(select(NeighbourhoodPostcode.postcode)))
    next_code = {city: first for city, first, _ in CITIES}
    last_code = {city: last for city, _, last in CITIES}
    owners = list(db.session.scalars(
        select(User.id).where(User.email_verified_at.is_not(None)).order_by(User.id).limit(5000)
    ))
    now = utcnow()

    def postcodes(city: str, count: int) -> list[str]:
        found: list[str] = []
        while len(found) < count and next_code[city] <= last_code[city]:
            code = str(next_code[city])
            next_code[city] += 1
            if code not in used:
                used.add(code)
                found.append(code)
        return found

    made: list[tuple[Neighbourhood, str]] = []
    for name, city in _place_candidates(rng):
        if len(made) >= missing:
            break
        slug = f"{_slugify(city)}-{_slugify(name)}"
        if slug in slugs:
            continue
        slugs.add(slug)
        hood = Neighbourhood(
            name=name, slug=slug, city=city,
            description=rng.choice(PLACE_TEXTS).format(name=name, city=city),
            created_at=now - timedelta(days=rng.randint(30, 900)),
        )
        hood.postcodes = [NeighbourhoodPostcode(postcode=p)
                          for p in postcodes(city, rng.choice((1, 1, 2, 2, 3)))]
        db.session.add(hood)
        made.append((hood, city))
    db.session.flush()

    orgs: list[dict] = []
    offers: list[dict] = []
    for hood, city in made:
        code = hood.postcodes[0].postcode if hood.postcodes else None
        for title, blurb in rng.sample(ORG_KINDS, rng.randint(2, 5)):
            person, email = _person(rng)
            stamp = now - timedelta(days=rng.randint(1, 700))
            orgs.append(_item_row(
                kind="organisation", neighbourhood_id=hood.id, owner_id=rng.choice(owners),
                title=title.format(name=hood.name, city=city), description=f"<p>{blurb}</p>",
                website=f"https://{_slugify(hood.slug)}-{len(orgs)}.example.nl",
                address=_address(rng, code, city), address_public=True,
                contact_name=person, contact_name_public=rng.random() < 0.7,
                contact_email=email, contact_email_public=rng.random() < 0.8,
                contact_phone=_phone(rng), contact_phone_public=rng.random() < 0.3,
                created_at=stamp, updated_at=stamp,
            ))
        for _ in range(rng.randint(0, 8)):
            offer_kind, title, blurb = rng.choice(OFFER_TEMPLATES)
            person, email = _person(rng)
            expires = today + timedelta(days=rng.randint(-60, 90))
            posted = expires - timedelta(days=rng.randint(7, 60))
            stamp = local_day_start(posted) + timedelta(minutes=rng.randint(480, 1320))
            offers.append(_item_row(
                kind="offer", neighbourhood_id=hood.id, owner_id=rng.choice(owners),
                offer_kind=offer_kind, title=title, description=f"<p>{blurb}</p>",
                expires_on=expires, contact_name=person.split()[0],
                contact_name_public=rng.random() < 0.4, contact_email=email,
                contact_email_public=rng.random() < 0.7,
                address=_address(rng, code, city) if rng.random() < 0.3 else None,
                created_at=min(stamp, now), updated_at=min(stamp, now),
            ))
    _insert(Item.__table__, orgs)
    _insert(Item.__table__, offers)
    return len(made), len(orgs), len(offers)


def _load_hoods() -> list[_Hood]:
    hoods = {
        hood_id: _Hood(hood_id, name, city, None)
        for hood_id, name, city in db.session.execute(
            select(Neighbourhood.id, Neighbourhood.name, Neighbourhood.city)
            .order_by(Neighbourhood.id))
    }
    for hood_id, postcode in db.session.execute(
        select(NeighbourhoodPostcode.neighbourhood_id, NeighbourhoodPostcode.postcode)
        .order_by(NeighbourhoodPostcode.postcode)
    ):
        if hoods[hood_id].postcode is None:
            hoods[hood_id].postcode = postcode
    for org_id, hood_id, title, address in db.session.execute(
        select(Item.id, Item.neighbourhood_id, Item.title, Item.address)
        .where(Item.kind == "organisation").order_by(Item.id)
    ):
        hoods[hood_id].orgs.append((org_id, title, address))
    return list(hoods.values())


def _bulk_activities(count: int, rng: random.Random, today: date) -> int:
    if count <= 0:
        return 0
    hoods = _load_hoods()
    user_ids = list(db.session.scalars(
        select(User.id).where(User.email_verified_at.is_not(None)).order_by(User.id)))
    # A few people post most activities, as on every community site.
    owners = rng.sample(user_ids, max(1, len(user_ids) // 20))
    # Some neighbourhoods are far busier than others.
    weights = [rng.lognormvariate(0, 1) for _ in hoods]
    cumulative, running = [], 0.0
    for weight in weights:
        running += weight
        cumulative.append(running)
    now = utcnow()
    midnight = datetime.min.time()

    def rows() -> Iterator[dict]:
        for hood in rng.choices(hoods, cum_weights=cumulative, k=count):
            title, blurb, times, (shortest, longest) = rng.choice(ACTIVITY_KINDS)
            org = rng.choice(hood.orgs) if hood.orgs and rng.random() < 0.45 else None
            if org and rng.random() < 0.8:
                venue, address, address_public = org[1], org[2], True
            else:
                venue = f"{rng.choice(OPEN_VENUES)} {hood.name}"
                address = _address(rng, hood.postcode, hood.city) if rng.random() < 0.5 else None
                address_public = rng.random() < 0.5
            suffix = rng.choice(ACTIVITY_SUFFIXES)
            if "{venue}" in suffix and not (org and venue == org[1]):
                suffix = ""  # "in" suits a building, not "Marktplein Oost"
            suffix = suffix.format(venue=venue, place=hood.name)
            # About half lie in the past (up to a year), the rest mostly in the coming weeks.
            if rng.random() < 0.5:
                offset = -rng.randint(1, 365)
            else:
                offset = min(int(rng.expovariate(1 / 30)), 240)
            day = today + timedelta(days=offset)
            hour, minute = rng.choice(times).split(":")
            starts = datetime.combine(day, midnight).replace(hour=int(hour), minute=int(minute))
            ends = (starts + timedelta(minutes=rng.randrange(shortest, longest + 1, 15))
                    if rng.random() < 0.9 else None)
            recurrence = None
            if rng.random() < 0.2:
                pattern = rng.choice(RECURRENCES)
                if day.day <= 7 and rng.random() < 0.3:
                    pattern = "Elke eerste {day} van de maand"
                recurrence = pattern.format(day=WEEKDAYS[day.weekday()])
            with_contact = rng.random() < 0.6
            person, email = _person(rng) if with_contact else (None, None)
            phone = _phone(rng) if with_contact and rng.random() < 0.35 else None
            created = min(now, local_to_stamp(
                starts - timedelta(days=rng.randint(1, 45), hours=rng.randint(0, 9))))
            yield _item_row(
                kind="activity", neighbourhood_id=hood.id, owner_id=rng.choice(owners),
                organisation_id=org[0] if org else None,
                title=f"{title}{suffix}",
                description=f"<p>{html.escape(blurb, quote=False)}</p>"
                            f"<p>Locatie: {html.escape(venue, quote=False)}.</p>",
                starts_at=starts, ends_at=ends, location_name=venue, recurrence=recurrence,
                address=address, address_public=address_public and address is not None,
                contact_name=person, contact_name_public=bool(person) and rng.random() < 0.3,
                contact_email=email, contact_email_public=bool(email) and rng.random() < 0.6,
                contact_phone=phone, contact_phone_public=bool(phone) and rng.random() < 0.15,
                created_at=created, updated_at=created,
            )

    return _insert(Item.__table__, rows())
