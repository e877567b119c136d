from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


def test_catalogue_is_complete_and_compiled():
    """Every user-facing string has a Dutch translation, and the .mo matches the .po."""
    po = ROOT / "wijk" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [m.id for m in catalog if m.id and not m.string and not m.fuzzy]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []
    from babel.messages.mofile import read_mo

    with po.with_suffix(".mo").open("rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    stale = [m.id for m in catalog if m.id and compiled.get(m.id) != m.string]
    assert stale == [], "run `pybabel compile -d wijk/translations`"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            "/dev/stdout",
            "wijk",
            "templates",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    from io import BytesIO

    extracted = read_po(BytesIO(result.stdout.encode()))
    missing = sorted(
        {m.id if isinstance(m.id, str) else m.id[0] for m in extracted if m.id}
        - {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    )
    assert missing == [], "run `pybabel extract` and `pybabel update`, then translate"
