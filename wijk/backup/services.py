"""Taking, pruning and restoring backups.

A backup is one file, `wijk-<UTC stamp>.backup`: a Fernet token (BACKUP_KEY) around a
header line (format, database dialect, when it was taken) and a consistent copy of the
database, made with SQLite's online backup API or `pg_dump`. Files older than
BACKUP_KEEP_DAYS are removed by the next run. Restoring replaces the database with the
copy, then applies again what the erasure ledger recorded since, carries over the
sealed copies made since, and runs the purge, so nobody who left comes back."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from wijk.backup import replay
from wijk.extensions import db
from wijk.models import ErasureRecord, SealedAccount
from wijk.privacy.retention import purge
from wijk.security.keys import multi_fernet

FORMAT = 1
STAMP = "%Y%m%dT%H%M%SZ"
NAME = re.compile(r"^wijk-(\d{8}T\d{6}Z)\.backup$")
# A deletion committed while the copy was being made may or may not be in it; replaying
# a little more than needed is harmless, since every replay step is idempotent.
OVERLAP = timedelta(minutes=5)


class BackupError(Exception):
    """The backup cannot be taken or restored; the message says why."""


@dataclass(frozen=True)
class Restored:
    taken_at: datetime
    replayed: int
    sealed: int
    purged: dict[str, int]


def keep_period() -> timedelta:
    return timedelta(days=int(current_app.config["BACKUP_KEEP_DAYS"]))


def folder() -> Path:
    return Path(current_app.config["BACKUP_DIR"])


def _key() -> MultiFernet:
    key = multi_fernet(current_app.config.get("BACKUP_KEY"))
    if key is None:
        raise BackupError("BACKUP_KEY is not configured (see docs/deploy.md)")
    return key


def _dialect() -> str:
    return db.engine.dialect.name


def _stamp_of(path: Path, like: datetime) -> datetime | None:
    """The moment in the file name, as naive or aware as `like` (utcnow's kind)."""
    match = NAME.match(path.name)
    if not match:
        return None
    return datetime.strptime(match.group(1), STAMP).replace(tzinfo=like.tzinfo)


# --- taking -----------------------------------------------------------------------------


def take(now: datetime, to: Path | None = None) -> Path:
    """Write one encrypted copy of the database into `to` (default BACKUP_DIR)."""
    key = _key()
    target = Path(to) if to else folder()
    if not target.exists():
        target.mkdir(parents=True, mode=0o700)
    header = {"format": FORMAT, "dialect": _dialect(), "taken_at": now.isoformat()}
    payload = _dump_sqlite() if _dialect() == "sqlite" else _dump_postgresql()
    path = target / f"wijk-{now:{STAMP}}.backup"
    partial = path.with_suffix(".partial")
    partial.write_bytes(key.encrypt(json.dumps(header).encode() + b"\n" + payload))
    partial.chmod(0o600)
    partial.replace(path)
    return path


def _database_path() -> str:
    path = db.engine.url.database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return path


def _dump_sqlite() -> bytes:
    """SQLite's online backup API: a consistent copy while the site keeps running."""
    with tempfile.TemporaryDirectory() as scratch:
        copy_path = Path(scratch) / "copy.sqlite"
        source = sqlite3.connect(_database_path(), timeout=15)
        copy = sqlite3.connect(copy_path)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return copy_path.read_bytes()


def _libpq() -> tuple[str, dict[str, str]]:
    """The database URL for pg_dump/pg_restore, with the password in the environment
    rather than on the command line."""
    url: URL = db.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> bytes:
    try:
        done = subprocess.run(command, env=env, capture_output=True, check=False)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed") from error
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout


def _dump_postgresql() -> bytes:
    """pg_dump runs in one transaction, so the copy is consistent."""
    url, env = _libpq()
    return _run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--dbname={url}"], env
    )


def prune(now: datetime, where: Path | None = None) -> list[Path]:
    """Remove the backups older than the keep period, and the ledger records that no
    kept backup can need any more."""
    cutoff = now - keep_period()
    removed = []
    for path in sorted((Path(where) if where else folder()).glob("wijk-*.backup")):
        stamp = _stamp_of(path, now)
        if stamp is not None and stamp < cutoff:
            path.unlink()
            removed.append(path)
    db.session.execute(
        delete(ErasureRecord).where(
            ErasureRecord.recorded_at < cutoff - OVERLAP - timedelta(days=1)
        )
    )
    db.session.commit()
    return removed


# --- restoring --------------------------------------------------------------------------


def read(path: Path) -> tuple[dict[str, Any], bytes]:
    try:
        plain = _key().decrypt(Path(path).read_bytes())
    except InvalidToken as error:
        raise BackupError(f"{path} does not open with the configured BACKUP_KEY") from error
    header, _newline, payload = plain.partition(b"\n")
    info = json.loads(header)
    if info.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {info.get('format')!r}")
    return info, payload


def _since(taken_at: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """From the database about to be replaced: the erasures recorded and the sealed
    copies made since the backup. Empty when that database is gone or unreadable."""
    since = taken_at - OVERLAP
    try:
        records = [
            {
                "kind": r.kind,
                "target_id": r.target_id,
                "detail": dict(r.detail or {}),
                "recorded_at": r.recorded_at,
            }
            for r in db.session.scalars(
                select(ErasureRecord).where(ErasureRecord.recorded_at >= since)
            )
        ]
        sealed = [
            {
                "former_user_id": s.former_user_id,
                "sealed_at": s.sealed_at,
                "purge_after": s.purge_after,
                "ciphertext": s.ciphertext,
            }
            for s in db.session.scalars(
                select(SealedAccount).where(SealedAccount.sealed_at >= since)
            )
        ]
    except SQLAlchemyError:
        db.session.rollback()
        return [], []
    db.session.rollback()
    return records, sealed


def restore(path: Path, now: datetime) -> Restored:
    """Replace the database with the backup, then erase again what was erased since."""
    info, payload = read(path)
    if info["dialect"] != _dialect():
        raise BackupError(f"{path} is a {info['dialect']} backup; this site runs {_dialect()}")
    taken_at = datetime.fromisoformat(info["taken_at"])
    if (taken_at.tzinfo is None) != (now.tzinfo is None):
        taken_at = taken_at.replace(tzinfo=now.tzinfo)
    records, sealed = _since(taken_at)
    db.session.remove()
    db.engine.dispose()
    if info["dialect"] == "sqlite":
        _load_sqlite(payload)
    else:
        _load_postgresql(payload)
    db.engine.dispose()
    pending = _carry_over(records, sealed)
    replayed = replay.apply(pending, now)
    db.session.commit()
    return Restored(taken_at=taken_at, replayed=replayed, sealed=len(sealed), purged=purge(now))


def _carry_over(records: list[dict[str, Any]], sealed: list[dict[str, Any]]) -> list[ErasureRecord]:
    """Put the newer ledger records and sealed copies into the restored database, so a
    later restore of an even older backup still knows about them."""
    pending = []
    for values in records:
        record = db.session.scalar(
            select(ErasureRecord).where(
                ErasureRecord.kind == values["kind"],
                ErasureRecord.target_id == values["target_id"],
                ErasureRecord.recorded_at == values["recorded_at"],
            )
        )
        if record is None:
            record = ErasureRecord(**values)
            db.session.add(record)
        pending.append(record)
    for values in sealed:
        exists = db.session.scalar(
            select(SealedAccount.id).where(
                SealedAccount.former_user_id == values["former_user_id"],
                SealedAccount.sealed_at == values["sealed_at"],
            )
        )
        if exists is None:
            db.session.add(SealedAccount(**values))
    db.session.flush()
    return pending


def _load_sqlite(payload: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        copy_path = Path(scratch) / "copy.sqlite"
        copy_path.write_bytes(payload)
        copy = sqlite3.connect(copy_path)
        live = sqlite3.connect(_database_path(), timeout=15)
        try:
            copy.backup(live)
        finally:
            live.close()
            copy.close()


def _load_postgresql(payload: bytes) -> None:
    url, env = _libpq()
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "copy.pgdump"
        dump.write_bytes(payload)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={url}",
                str(dump),
            ],
            env,
        )
