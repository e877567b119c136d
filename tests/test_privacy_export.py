"""The export: a plain ZIP with data.json, CSVs, pictures and a README; the person's
data and no one else's; fast enough for 1,000 posts inside a request."""

from __future__ import annotations

import csv
import io
import json
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
    items_csv = list(csv.DictReader(io.StringIO(archive.read("items.csv").decode())))
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
    assert len(list(csv.DictReader(io.StringIO(archive.read("items.csv").decode())))) == 1000
    page = client.get("/mijn/gegevens")
    assert page.status_code == 200


def test_export_needs_a_login(client):
    response = client.post("/mijn/gegevens/export")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
