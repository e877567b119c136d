"""The export: a plain ZIP with data.json, CSVs, pictures and a README; the person's
data and no one else's; fast enough for 1,000 posts inside a request."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert

from wijk.clock import utcnow
from wijk.extensions import db
from wijk.models import (
    AuditEntry,
    BlockedSender,
    Consent,
    Item,
    NewsletterSubscription,
    RelayMessage,
    SignUp,
)
from wijk.pictures.services import upload_dir


def download(client) -> zipfile.ZipFile:
    response = client.post("/mijn/gegevens/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}
    return archive


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    """As Dutch Excel reads it: UTF-8 after the byte-order mark, split on semicolons."""
    raw = archive.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has no byte-order mark"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("where", ["instance", "FLASK_UPLOAD_DIR"])
def test_export_holds_the_persons_data_and_nobody_elses(
    app, client, auth, make_user, make_item, tmp_path, where
):
    if where == "FLASK_UPLOAD_DIR":  # a volume shared by several app nodes
        app.config["UPLOAD_DIR"] = str(tmp_path / "shared-volume")
    user = make_user(name="Anouk de Vries", email="anouk@example.org")
    neighbour = make_user(name="Henk Hoogland", email="henk@example.org")
    mine = make_item(
        "activity",
        owner=user,
        title="Koffieochtend",
        contact_phone="0611122233",
        contact_name="Anouk",
        picture_key="abc123",
    )
    theirs = make_item(
        "activity",
        owner=neighbour,
        title="Henks klusdag",
        contact_phone="0699988877",
        contact_name="Henk Hoogland",
    )
    uploads = upload_dir()
    assert (uploads == tmp_path / "shared-volume") == (where == "FLASK_UPLOAD_DIR")
    (uploads / "abc123-large.webp").write_bytes(b"RIFF....WEBP")
    (uploads / "zzz999-large.webp").write_bytes(b"SOMEONE-ELSES-PICTURE")
    db.session.add_all(
        [
            Consent(user_id=user.id, document="terms", version="2026-11"),
            NewsletterSubscription(
                user_id=user.id, neighbourhood_id=mine.neighbourhood_id, source="signup"
            ),
            RelayMessage(
                item_id=mine.id,
                recipient_id=user.id,
                sender_name="Piet Afzender",
                sender_email="piet@example.net",
                body="Mag ik komen? Bel 0655544433",
            ),
            RelayMessage(
                item_id=theirs.id,
                recipient_id=neighbour.id,
                sender_name="Anouk",
                sender_email="anouk@example.org",
                body="Ik help mee",
            ),
            RelayMessage(
                item_id=theirs.id,
                recipient_id=neighbour.id,
                sender_name="Iemand",
                sender_email="iemand@example.net",
                body="Niet van Anouk",
            ),
            SignUp(activity_id=theirs.id, name="Anouk", email="anouk@example.org"),
            SignUp(activity_id=theirs.id, name="Klaas", email="klaas@example.org"),
            BlockedSender(user_id=user.id, sender_hash="f" * 64, sender_hint="s***@example.net"),
            AuditEntry(
                actor_id=neighbour.id, action="author.viewed", subject_id=user.id, item_id=mine.id
            ),
            AuditEntry(actor_id=user.id, action="author.viewed", subject_id=neighbour.id),
        ]
    )
    db.session.commit()
    auth.login(user)
    archive = download(client)
    names = set(archive.namelist())
    assert {
        "README.txt",
        "data.json",
        "account.csv",
        "items.csv",
        "consents.csv",
        "access_log.csv",
        f"pictures/item-{mine.id}-large.webp",
    } <= names
    readme = archive.read("README.txt").decode()
    assert "data.json" in readme and "items.csv" in readme
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == "anouk@example.org"
    assert "password_hash" not in data["account"] and data["account"]["password_hash_set"]
    assert [i["title"] for i in data["items"]] == ["Koffieochtend"]
    assert data["items"][0]["contact_phone"] == "0611122233"
    assert data["items"][0]["contact_phone_public"] is False
    assert [c["version"] for c in data["consents"]] == ["2026-11"]
    assert len(data["newsletter_subscriptions"]) == 1
    assert [m["body"] for m in data["messages_sent"]] == ["Ik help mee"]
    assert len(data["messages_received"]) == 1
    assert [s["name"] for s in data["signups"]] == ["Anouk"]
    assert [e["by"] for e in data["access_log"]] == ["manager"]
    items_csv = read_csv(archive, "items.csv")
    assert items_csv[0]["title"] == "Koffieochtend"
    everything = b"".join(archive.read(n) for n in names).decode("utf-8", "replace")
    for stranger in (
        "Piet Afzender",
        "piet@example.net",
        "0655544433",
        "Henk Hoogland",
        "henk@example.org",
        "0699988877",
        "Klaas",
        "iemand@example.net",
        "Niet van Anouk",
        "s***@example.net",
        "SOMEONE-ELSES-PICTURE",
    ):
        assert stranger not in everything, stranger


@pytest.mark.slow
def test_export_of_1000_posts_completes_within_a_request(client, auth, make_user, make_item):
    user = make_user()
    first = make_item("activity", owner=user)
    base = {c.name: None for c in Item.__table__.columns if c.name != "id"}
    flags = {
        c.name: c.default.arg
        for c in Item.__table__.columns
        if c.default is not None and c.default.is_scalar
    }
    start = datetime.now() + timedelta(days=1)
    db.session.execute(
        insert(Item),
        [
            {
                **base,
                **flags,
                "kind": "activity",
                "title": f"Activiteit {i}",
                "description": "x",
                "neighbourhood_id": first.neighbourhood_id,
                "owner_id": user.id,
                "status": "published",
                "starts_at": start,
                "contact_phone": f"06{i:08d}",
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
            for i in range(999)
        ],
    )
    db.session.commit()
    auth.login(user)
    began = time.perf_counter()
    archive = download(client)
    assert time.perf_counter() - began < 10
    data = json.loads(archive.read("data.json"))
    assert len(data["items"]) == 1000
    assert len(read_csv(archive, "items.csv")) == 1000
    page = client.get("/mijn/gegevens")
    assert page.status_code == 200


def test_export_needs_a_login(client):
    response = client.post("/mijn/gegevens/export")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


@pytest.mark.parametrize(
    ("locale", "readme_words", "category"),
    [
        ("nl", "puntkomma", "Sport en bewegen"),
        ("en", "semicolon", "Sport and exercise"),
        (None, "puntkomma", "Sport en bewegen"),
    ],
)
def test_export_csv_opens_in_dutch_excel_with_names_categories_and_plain_text(
    client, auth, make_user, make_item, make_neighbourhood, locale, readme_words, category
):
    from wijk.content.categories import set_categories
    from wijk.models import RelayAlias, RelayConversation, RelaySide

    user = make_user(name="Anouk", email="anouk@example.org")
    user.locale = locale
    place = make_neighbourhood("Lombok")
    club = make_item("organisation", owner=user, neighbourhood=place, title="Buurtclub Één")
    activity = make_item(
        "activity",
        owner=user,
        neighbourhood=place,
        organisation_id=club.id,
        title="Koffie & taart",
        description="<p>Koffie &amp; taart, <strong>gratis</strong>.</p><ul><li>Zaal 1</li>"
        '<li>Zaal 2</li></ul><p>Meer op <a href="https://lombok.example/agenda">de site</a>'
        "</p>",
    )
    set_categories(activity, ["sport", "food"])
    conversation = RelayConversation(item_id=activity.id, created_at=utcnow())
    conversation.aliases = [
        RelayAlias(
            side=RelaySide.CONTACT,
            token="a" * 32,
            address="anouk@example.org",
            display_name="Koffie & taart",
            expires_at=utcnow() + timedelta(days=28),
            blocked=False,
        ),
        RelayAlias(
            side=RelaySide.VISITOR,
            token="b" * 32,
            address="visitor@example.net",
            display_name="Bezoeker Bart",
            expires_at=utcnow() + timedelta(days=28),
            blocked=False,
        ),
    ]
    db.session.add(conversation)
    db.session.commit()
    auth.login(user)
    archive = download(client)

    for name in archive.namelist():
        if name.endswith(".csv"):
            read_csv(archive, name)  # every CSV starts with the BOM
    items = {row["title"]: row for row in read_csv(archive, "items.csv")}
    row = items["Koffie & taart"]
    assert row["neighbourhood"] == "Lombok" and "neighbourhood_id" not in row
    assert row["organisation"] == "Buurtclub Één"
    assert category in row["categories"] and row["category_codes"] == "sport,food"
    assert row["description_text"] == (
        "Koffie & taart, gratis.\n\n- Zaal 1\n- Zaal 2\n\nMeer op de site "
        "(https://lombok.example/agenda)"
    )
    assert "<" not in row["description_text"] and "&amp;" not in row["description_text"]
    assert row["description"].startswith("<p>")  # the HTML stays beside it
    aliases = read_csv(archive, "relay_aliases.csv")
    assert [a["alias"] for a in aliases] == ["r-" + "a" * 32 + "@relay.wijk.localhost"]
    assert aliases[0]["item_title"] == "Koffie & taart"
    everything = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8", "replace")
    assert "b" * 32 not in everything and "visitor@example.net" not in everything
    readme = archive.read("README.txt").decode("utf-8")
    assert readme_words in readme and "relay_aliases.csv" in readme
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(UTC\)", readme)
    data = json.loads(archive.read("data.json"))
    assert data["items"][0]["neighbourhood"] == "Lombok"


def test_export_readme_follows_the_account_language_not_the_page(client, auth, make_user):
    user = make_user()
    user.locale = "en"
    db.session.commit()
    auth.login(user)
    client.get("/?lang=nl")
    response = client.post("/mijn/gegevens/export?lang=nl")
    readme = zipfile.ZipFile(io.BytesIO(response.data)).read("README.txt").decode()
    assert readme.startswith("Your data from Wijk")
