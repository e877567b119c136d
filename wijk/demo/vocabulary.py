"""The words the benchmark generator draws from, read from vocabulary.toml and checked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wijk.demo.content import OFFER_KINDS
from wijk.demo.datafile import read_toml

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.toml")


@dataclass(frozen=True)
class City:
    name: str
    first_postcode: int
    last_postcode: int


@dataclass(frozen=True)
class ActivityKind:
    title: str
    text: str
    times: tuple[str, ...]
    shortest: int
    longest: int


@dataclass(frozen=True)
class Vocabulary:
    weekdays: tuple[str, ...]
    postcode_letters: str
    place_names: tuple[str, ...]
    place_texts: tuple[str, ...]
    streets: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    activity_suffixes: tuple[str, ...]
    recurrences: tuple[str, ...]
    open_venues: tuple[str, ...]
    cities: tuple[City, ...]
    organisations: tuple[tuple[str, str], ...]  # title, text
    activities: tuple[ActivityKind, ...]
    offers: tuple[tuple[str, str, str], ...]  # kind, title, text


LISTS = (
    "place_names",
    "place_texts",
    "streets",
    "first_names",
    "last_names",
    "activity_suffixes",
    "recurrences",
    "open_venues",
)


def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """The vocabulary of `path`; raises DemoDataError saying where the file is wrong."""
    root = read_toml(path)
    lists = {}
    for key in LISTS:
        lists[key] = root.texts(key)
        if not lists[key]:
            root.fail("needs at least one entry", key)
    weekdays = root.texts("weekdays")
    if len(weekdays) != 7:
        root.fail("needs the 7 names of the days, Monday first", "weekdays")
    letters = root.text("postcode_letters")

    cities = []
    for f in root.tables("cities"):
        city = City(f.text("name"), f.number("first_postcode"), f.number("last_postcode"))
        if not 1000 <= city.first_postcode <= city.last_postcode <= 9999:
            f.fail("needs 1000 <= first_postcode <= last_postcode <= 9999")
        f.done()
        cities.append(city)

    organisations = []
    for f in root.tables("organisations"):
        organisations.append((f.text("title"), f.text("text")))
        f.done()

    activities = []
    for f in root.tables("activities"):
        times = f.texts("times")
        shortest, longest = f.numbers("minutes", 2)
        if not times or not 0 < shortest <= longest:
            f.fail("needs start times and minutes = [shortest, longest]")
        activities.append(ActivityKind(f.text("title"), f.text("text"), times, shortest, longest))
        f.done()

    offers = []
    for f in root.tables("offers"):
        offers.append(
            (f.one_of("kind", OFFER_KINDS, "offer or request"), f.text("title"), f.text("text"))
        )
        f.done()
    root.done()
    return Vocabulary(
        weekdays=weekdays,
        postcode_letters=letters,
        cities=tuple(cities),
        organisations=tuple(organisations),
        activities=tuple(activities),
        offers=tuple(offers),
        **lists,
    )
