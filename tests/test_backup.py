"""Backups: an encrypted, consistent copy; copies older than the keep period go on the
next run; a restore re-applies every deletion recorded since, so a person who left
stays gone while everything else comes back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_privacy_erasure import scan

from wijk.backup import services
from wijk.content.services import delete_item
from wijk.extensions import db
from wijk.models import (
    ErasureRecord,
    Item,
    Neighbourhood,
    NewsletterSubscription,
    OutboxMessage,
    SealedAccount,
    SignUp,
    User,
)
from wijk.models.base import utcnow
from wijk.privacy import erasure
from wijk.privacy.retention import purge

LEAVER = "Leonora Vertrekstra"
LEAVER_EMAIL = "leonora.vertrek@example.org"


@pytest.fixture
def backups(app, tmp_path):
    app.config["BACKUP_DIR"] = str(tmp_path / "backups")
    return tmp_path / "backups"


def test_a_backup_is_encrypted_and_opens_with_the_key(app, backups, make_user):
    make_user(name=LEAVER, email=LEAVER_EMAIL)
    path = services.take(utcnow())
    data = path.read_bytes()
    assert LEAVER_EMAIL.encode() not in data and b"SQLite format" not in data
    info, payload = services.read(path)
    assert info["dialect"] == db.engine.dialect.name
    assert payload.startswith(b"SQLite format 3" if info["dialect"] == "sqlite" else b"PGDMP")


def test_backups_older_than_the_period_are_removed_by_the_next_run(app, backups, runner):
    now = utcnow()
    old = services.take(now - timedelta(days=43))
    recent = services.take(now - timedelta(days=41))
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    assert not old.exists() and recent.exists()
    assert len(list(backups.glob("wijk-*.backup"))) == 2
    assert "removed" in result.output


def test_restore_keeps_a_deleted_and_purged_account_gone(
    app, backups, runner, make_user, make_item
):
    stayer = make_user(name="Sientje Blijft")
    place_item = make_item(owner=stayer, title="Buurtbarbecue")
    leaver = make_user(name=LEAVER, email=LEAVER_EMAIL)
    dropped = make_item(
        owner=leaver,
        neighbourhood=place_item.neighbourhood,
        title="Leonora's rommelmarkt",
        contact_name=LEAVER,
    )
    kept = make_item(
        owner=leaver,
        neighbourhood=place_item.neighbourhood,
        title="Wijkmoestuin",
        contact_email=LEAVER_EMAIL,
    )
    db.session.add(SignUp(activity_id=place_item.id, name=LEAVER, email=LEAVER_EMAIL))
    db.session.add(
        NewsletterSubscription(
            user_id=leaver.id,
            neighbourhood_id=place_item.neighbourhood_id,
            source="signup",
            subscribed_at=utcnow(),
        )
    )
    db.session.commit()
    ids = {
        "leaver": leaver.id,
        "dropped": dropped.id,
        "kept": kept.id,
        "stayer": stayer.id,
        "place": place_item.neighbourhood_id,
        "bbq": place_item.id,
    }

    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    (backup,) = backups.glob("wijk-*.backup")

    # After the backup: the leaver deletes the account, the purge erases it, and an
    # unrelated change is made that the restore is expected to undo.
    later = utcnow()
    erasure.delete_account(leaver, {kept.id: erasure.KEEP, dropped.id: erasure.DELETE}, now=later)
    purge(later + timedelta(hours=49))
    db.session.get(Neighbourhood, ids["place"]).name = "Hernoemd"
    db.session.commit()
    assert db.session.get(User, ids["leaver"]) is None

    result = runner.invoke(args=["restore-backup", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()

    assert db.session.get(User, ids["leaver"]) is None
    assert db.session.get(Item, ids["dropped"]) is None
    anonymous = db.session.get(Item, ids["kept"])
    assert anonymous.owner_id is None and anonymous.contact_email is None
    assert scan([LEAVER, LEAVER_EMAIL]) == []
    # Everything else is as it was when the backup was taken.
    assert db.session.get(User, ids["stayer"]).name == "Sientje Blijft"
    assert db.session.get(Item, ids["bbq"]).title == "Buurtbarbecue"
    assert db.session.get(Neighbourhood, ids["place"]).name != "Hernoemd"
    # The deletion stays known, for a restore of an even older backup, and the sealed
    # copy made at deletion survives the restore.
    assert db.session.scalar(
        db.select(ErasureRecord).where(
            ErasureRecord.kind == "account", ErasureRecord.target_id == ids["leaver"]
        )
    )
    assert db.session.scalar(
        db.select(SealedAccount).where(SealedAccount.former_user_id == ids["leaver"])
    )
    assert not db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.to_addr == LEAVER_EMAIL)
    ).all()


def test_restore_refuses_a_file_that_does_not_open(app, backups, runner, tmp_path):
    forged = tmp_path / "wijk-20260101T000000Z.backup"
    forged.write_bytes(b"not a backup")
    result = runner.invoke(args=["restore-backup", str(forged), "--yes"])
    assert result.exit_code != 0 and "does not open" in result.output


def test_deleting_a_post_is_noted_in_the_erasure_ledger(app, make_item):
    item = make_item()
    item_id = item.id
    delete_item(item)
    assert (
        db.session.scalar(db.select(ErasureRecord.target_id).where(ErasureRecord.kind == "item"))
        == item_id
    )


def test_backup_to_another_folder_keeps_the_configured_one_empty(app, backups, runner, tmp_path):
    elsewhere = tmp_path / "elders"
    result = runner.invoke(args=["backup", "--to", str(elsewhere)])
    assert result.exit_code == 0, result.output
    assert len(list(elsewhere.glob("wijk-*.backup"))) == 1
    assert not backups.exists() or not list(backups.iterdir())


def test_privacy_statement_shows_how_long_backups_are_kept(client, app):
    app.config["BACKUP_KEEP_DAYS"] = 42
    html = client.get("/privacy").get_data(as_text=True)
    assert "42 dagen (6 weken)" in html
