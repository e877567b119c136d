"""Who processes data for the controller, the data protection officer and how long
backups are kept: read from the configuration (PROCESSORS, DPO_*, BACKUP_KEEP_DAYS),
shown on /privacy and in the processing register, so both say what is configured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ROLES: dict[str, Any] = {
    "hosting": _l("Hosting"),
    "mail": _l("E-mail delivery"),
    "backup": _l("Backup storage"),
    "other": _l("Other processor"),
}


@dataclass(frozen=True)
class Processor:
    role: str
    name: str
    location: str
    task: str


def processors() -> list[Processor]:
    return [
        Processor(
            role=str(ROLES.get(p.get("role", "other"), p.get("role", ""))),
            name=p.get("name", ""),
            location=p.get("location", ""),
            task=p.get("task", ""),
        )
        for p in current_app.config["PROCESSORS"]
    ]


def dpo() -> dict[str, str | None]:
    """The data protection officer, or `reason` why there is none."""
    config = current_app.config
    if config.get("DPO_NAME"):
        return {"name": config["DPO_NAME"], "contact": config.get("DPO_CONTACT"), "reason": None}
    return {"name": None, "contact": None, "reason": config["DPO_NONE_REASON"]}


def backup_retention() -> str:
    days = int(current_app.config["BACKUP_KEEP_DAYS"])
    weeks = format(days / 7, "g")
    return _(
        "Encrypted backups of the database are kept for %(days)d days (%(weeks)s "
        "weeks) and then removed. When a backup is restored, every deletion made "
        "since it was taken is applied again, so nobody who left comes back.",
        days=days,
        weeks=weeks,
    )


def register_lines() -> list[str]:
    """The processors, DPO and backups, one line each, for the register downloads."""
    lines = [
        _(
            "Processor: %(role)s: %(name)s (%(location)s), %(task)s.",
            role=p.role,
            name=p.name,
            location=p.location,
            task=p.task,
        )
        for p in processors()
    ]
    officer = dpo()
    lines.append(
        _(
            "Data protection officer: %(name)s, %(contact)s.",
            name=officer["name"],
            contact=officer["contact"],
        )
        if officer["name"]
        else _("Data protection officer: none. %(reason)s", reason=officer["reason"])
    )
    lines.append(backup_retention())
    return lines
