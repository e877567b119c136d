"""Shared constants and helpers of the browser tests."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def screenshot(page, name: str) -> None:
    """Keep a screenshot as a test artefact (the README shows some of them)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


PASSWORD = "correct horse battery"


def log_in(page, base: str, user) -> None:
    """Log in through the form, with the TOTP step when the account has it on."""
    from manage_fixtures import code_for

    page.goto(base + "/inloggen")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    if user.totp_enabled_at:
        page.get_by_label("Code").fill(code_for(user))
        page.get_by_role("button", name="Inloggen").click()
