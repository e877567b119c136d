"""The interface languages: Dutch by default, English on request, and for every other
configured language (Turkish, Arabic) a complete, compiled catalogue whose placeholders
match the English, pages that say which language and direction they are in, and no
English left on an Arabic page."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import get_translations
from test_crawl import crawl, seed

from wijk.config import DEFAULTS
from wijk.languages import SOURCE_LANGUAGE, language_name

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "wijk" / "translations"
LANGUAGES = list(DEFAULTS["LANGUAGES"])  # type: ignore[call-overload]
CATALOGUES = [code for code in LANGUAGES if code != SOURCE_LANGUAGE]


def test_dutch_is_the_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="nl" dir="ltr">' in html
    assert "Wat is er te doen in jouw wijk" in html


def test_english_on_request_is_remembered(client):
    response = client.post("/taal", data={"lang": "en", "next": "/registreren"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/registreren")
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert "What's on in your neighbourhood" in html


def test_unknown_language_keeps_dutch(client):
    client.post("/taal", data={"lang": "xx"})
    assert '<html lang="nl" dir="ltr">' in client.get("/").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    response = client.post("/taal", data={"lang": "en", "next": "//evil.example/"})
    assert "evil.example" not in response.headers["Location"]


def test_four_interface_languages_are_configured():
    assert LANGUAGES == ["nl", "en", "tr", "ar"]


# --- the catalogues -----------------------------------------------------------------------


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _catalogue(code: str):
    po = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    assert po.exists(), f"no catalogue for {code!r}: pybabel init -l {code}, then translate"
    with po.open("rb") as handle:
        return read_po(handle, locale=code)


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(strings)


@pytest.fixture(scope="module")
def extracted():
    """Every msgid in the code and templates today (what `pybabel extract` finds)."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", "babel.cfg"]
        + ["-k", "_l", "-o", "/dev/stdout", "wijk", "templates"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return {_key(m) for m in read_po(BytesIO(result.stdout.encode())) if m.id}


@pytest.mark.parametrize("code", CATALOGUES)
def test_catalogue_is_complete_and_compiled(code, extracted):
    """Every user-facing string is translated (all plural forms the language has), none
    is fuzzy, the .mo matches the .po, and no string in the code is missing."""
    catalog = _catalogue(code)
    untranslated = [_key(m) for m in catalog if m.id and not _translated(m)]
    fuzzy = [_key(m) for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []
    plural_counts = {
        _key(m): len(m.string) for m in catalog if m.id and isinstance(m.string, tuple)
    }
    assert all(n == catalog.num_plurals for n in plural_counts.values()), plural_counts
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    stale = [_key(m) for m in catalog if m.id and compiled.get(m.id) != m.string]
    assert stale == [], "run `pybabel compile -d wijk/translations`"
    missing = sorted(extracted - {_key(m) for m in catalog if m.id})
    assert missing == [], "run `pybabel extract` and `pybabel update`, then translate"


# A named placeholder may be used twice in a translation (Dutch repeats a name where the
# English says "them"); positional ones, HTML tags, entities and markdown come as often.
NAMED = re.compile(r"%\(\w+\)[sdfr]|\{\w+\}")
COUNTED = re.compile(r"%[sd]|\{\}|<[^>]+>|&#?\w+;|\*\*|`")


def placeholders(text: str) -> tuple[list[str], list[str]]:
    return sorted(set(NAMED.findall(text))), sorted(COUNTED.findall(text))


@pytest.mark.parametrize("code", CATALOGUES)
def test_placeholders_match_the_english(code):
    catalog = _catalogue(code)
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = placeholders(ids[-1])
        wrong += [(ids[0], s) for s in strings if s and placeholders(s) != expected]
    assert wrong == []
    # Babel's own checks: python-format strings keep their names and conversions.
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert problems == []


def test_placeholder_check_catches_a_dropped_name():
    assert placeholders("Hallo %(name)s, <b>ja</b>") == placeholders("Hello %(name)s, <b>yes</b>")
    assert placeholders("Hallo, <b>ja</b>") != placeholders("Hello %(name)s, <b>yes</b>")
    assert placeholders("Hallo %(naam)s") != placeholders("Hello %(name)s")
    assert placeholders("Hallo <b>ja") != placeholders("Hello <b>yes</b>")


# --- the language switch and the direction -----------------------------------------------


SWITCH_BUTTON = re.compile(
    r'<button type="submit" name="lang" value="(\w+)" lang="(\w+)"[^>]*>([^<]+)</button>'
)


@pytest.mark.parametrize("interface", ["nl", "ar"])
def test_language_switch_names_each_language_in_its_own_language(client, interface):
    html = client.get(f"/?lang={interface}").get_data(as_text=True)
    buttons = SWITCH_BUTTON.findall(html)
    assert buttons == [
        ("nl", "nl", "Nederlands"),
        ("en", "en", "English"),
        ("tr", "tr", "Türkçe"),
        ("ar", "ar", "العربية"),
    ]
    assert [language_name(code) for code in LANGUAGES] == [b[2] for b in buttons]
    assert ">NL<" not in html and ">EN<" not in html
    assert f'<span lang="{interface}">{language_name(interface)}</span></summary>' in html


def test_language_switch_works_without_script(client):
    """A <details> disclosure with a plain POST form: no script is needed to choose."""
    html = client.get("/").get_data(as_text=True)
    switch = html[html.index('<details class="lang-switch">') :]
    switch = switch[: switch.index("</details>")]
    assert "<form" in switch and "<script" not in switch
    client.post("/taal", data={"lang": "ar", "next": "/"})
    assert '<html lang="ar" dir="rtl">' in client.get("/").get_data(as_text=True)


def test_turkish_pages_say_they_are_turkish(client):
    client.post("/taal", data={"lang": "tr", "next": "/"})
    assert '<html lang="tr" dir="ltr">' in client.get("/").get_data(as_text=True)


def test_the_account_language_select_offers_every_language(client, auth, make_user):
    auth.login(make_user())
    html = client.get("/account").get_data(as_text=True)
    for code in LANGUAGES:
        assert f'<option lang="{code}"' in html or f'lang="{code}" value="{code}"' in html
        assert language_name(code) in html


# --- no English on an Arabic page ---------------------------------------------------------


class VisibleText(HTMLParser):
    """The text a reader meets: text nodes and the attributes read out (placeholder,
    title, aria-label, alt, button values). Parts marked as another language
    (`lang="en"` on the language switch) are left out, like script and style."""

    SKIP = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    SPOKEN = ("placeholder", "title", "aria-label", "alt")

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def _hidden(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        foreign = values.get("lang") not in (None, self.language)
        if not (self._hidden() or foreign):
            self.texts += [values[a] for a in self.SPOKEN if values.get(a)]
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.texts.append(values.get("value") or "")
        if tag not in self.VOID:
            self.stack.append((tag, tag in self.SKIP or foreign))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str, language: str) -> list[str]:
    parser = VisibleText(language)
    parser.feed(html)
    return parser.texts


SPLIT = re.compile(r"%\(\w+\)[sdfr]|<[^>]+>|\{\w*\}")


def english_fingerprints(code: str) -> tuple[set[str], set[str]]:
    """The English a page in `code` must not show: the literal parts of every msgid whose
    translation differs. A part of two or more words is looked for anywhere in a text; a
    single word only as a whole text (a button "Save"), because one word may be a name.
    Parts the translations themselves use (Wijk, CSV, iCal, WCAG 2.1) are not English."""
    catalog = _catalogue(code)
    translated = " ".join(str(m.string) for m in catalog if m.id)
    phrases: set[str] = set()
    words: set[str] = set()
    for message in catalog:
        if not message.id or message.string == message.id:
            continue
        for part in SPLIT.split(_key(message)):
            part = " ".join(part.split()).strip(" ,.:;()“”\"'")
            if len(part) < 3 or not re.search(r"[A-Za-z]{2}", part) or part in translated:
                continue
            (phrases if " " in part else words).add(part)
    return phrases, words


def english_on(html: str, fingerprints: tuple[set[str], set[str]], code: str) -> list[str]:
    phrases, words = fingerprints
    found = []
    for text in visible_texts(html, code):
        found += [p for p in phrases if p in text]
        found += [text for word in (text.strip(" :"),) if word in words]
    return found


@pytest.fixture
def arabic_site(app, make_user, make_neighbourhood, make_item):
    seed(make_user, make_neighbourhood, make_item)
    return english_fingerprints("ar")


def _pages_in_arabic(client, limit: int) -> dict[str, str]:
    client.post("/taal", data={"lang": "ar", "next": "/"})
    pages = crawl(client, limit=limit)
    return {
        url: body for url, (status, body, _h) in pages.items() if status == 200 and "<main" in body
    }


def test_public_pages_in_arabic_are_right_to_left_and_fully_translated(client, arabic_site):
    pages = _pages_in_arabic(client, limit=140)
    assert len(pages) > 60, "the crawl reaches the agenda, the items and the legal pages"
    assert any(url.startswith("/activiteit/") for url in pages)
    assert any(url.startswith("/privacy") for url in pages)
    english = {}
    for url, body in pages.items():
        assert '<html lang="ar" dir="rtl">' in body, url
        if found := english_on(body, arabic_site, "ar"):
            english[url] = found
    assert english == {}


def test_a_residents_pages_in_arabic_are_fully_translated(
    client, auth, arabic_site, make_user, make_neighbourhood, make_item
):
    resident = make_user(name="Samira")
    place = make_neighbourhood("Lombok", postcodes=("3531",))
    make_item("activity", owner=resident, neighbourhood=place, signups_enabled=True)
    make_item("offer", owner=resident, neighbourhood=place)
    auth.login(resident)
    pages = _pages_in_arabic(client, limit=160)
    for private in ("/account", "/mijn/bijdragen", "/mijn/gegevens"):
        assert private in pages or any(url.startswith(private) for url in pages), private
    english = {
        url: found for url, body in pages.items() if (found := english_on(body, arabic_site, "ar"))
    }
    assert english == {}


def test_the_check_catches_a_deliberately_untranslated_string(app, client, monkeypatch):
    fingerprints = english_fingerprints("ar")
    client.post("/taal", data={"lang": "ar", "next": "/"})
    assert english_on(client.get("/").get_data(as_text=True), fingerprints, "ar") == []
    with app.test_request_context("/?lang=ar"):
        catalogue = get_translations()._catalog
    for msgid in ("Find my neighbourhood", "Search"):
        monkeypatch.delitem(catalogue, msgid)
    html = client.get("/?lang=ar&fresh=1").get_data(as_text=True)
    assert "Find my neighbourhood" in html
    assert set(english_on(html, fingerprints, "ar")) == {"Find my neighbourhood", "Search"}


def test_switching_drops_a_lang_parameter_that_would_outvote_the_choice(client):
    response = client.post("/taal", data={"lang": "nl", "next": "/zoeken?q=yoga&lang=ar"})
    assert response.headers["Location"].endswith("/zoeken?q=yoga")
    assert '<html lang="nl" dir="ltr">' in client.get("/zoeken?q=yoga").get_data(as_text=True)


@pytest.mark.parametrize(
    ("code", "direction", "side"), [("ar", "rtl", "right"), ("nl", "ltr", "left")]
)
def test_mail_is_written_in_the_readers_language_and_direction(app, code, direction, side):
    from types import SimpleNamespace

    from wijk.mail import render_mail

    with app.test_request_context("/"):
        subject, text, html = render_mail(
            "suspended",
            code,
            user=SimpleNamespace(name="Samira"),
            place="Lombok",
            reason="Reclame",
            link="https://wijk.example/mijn/gegevens",
        )
    assert f'<html lang="{code}" dir="{direction}">' in html
    assert f"border-{side}: 3px" in html  # mail clients ignore logical properties
    if code == "ar":
        assert subject == "أنت موقوف في Lombok" and "مرحبًا Samira،" in html


PHYSICAL = re.compile(
    r"(?<![\w-])(?:(?:margin|padding|border|inset)-(?:left|right)|left|right)\s*:"
    r"|(?:text-align|float|clear)\s*:\s*(?:left|right)"
)


def test_stylesheets_use_logical_properties_so_arabic_mirrors():
    """`margin-inline-start`, not `margin-left`: one stylesheet serves both directions."""
    found = [
        f"{css.name}:{n}: {line.strip()}"
        for css in sorted((ROOT / "static" / "css").glob("*.css"))
        for n, line in enumerate(css.read_text().splitlines(), 1)
        if PHYSICAL.search(line)
    ]
    assert found == []
    assert PHYSICAL.search(".x { margin-left: 1rem }") and PHYSICAL.search("a { left: 0 }")
    assert PHYSICAL.search("th { text-align: right; }")
    assert not PHYSICAL.search(".x { margin-inline-start: 1rem; inset-inline-start: 0 }")
