"""A real SMTP server for tests (aiosmtpd on 127.0.0.1) and a guard that fails every test
that opens an SMTP connection anywhere else, so no test sends mail unnoticed."""

from __future__ import annotations

import smtplib
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Ports of the smtp_server fixtures alive right now; only these may be dialled.
_allowed_ports: set[int] = set()
_allowed_lock = threading.Lock()


@dataclass
class ReceivedMail:
    """One message as the server accepted it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes
    peer: Any


class RecordingHandler:
    """aiosmtpd handler that keeps every accepted message and counts SMTP sessions;
    addresses listed in `refusals` get the given reply to RCPT instead."""

    def __init__(self) -> None:
        self.messages: list[ReceivedMail] = []
        self.sessions = 0
        self.refusals: dict[str, str] = {}
        self._lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self._lock:
            self.sessions += 1
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        session.host_name = hostname
        with self._lock:
            self.sessions += 1
        return f"250 {server.hostname}"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refusals.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        parsed = message_from_bytes(raw, policy=policy.default)
        with self._lock:
            self.messages.append(
                ReceivedMail(
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    message=parsed,  # type: ignore[arg-type]
                    raw=raw,
                    peer=session.peer,
                )
            )
        return "250 Message accepted for delivery"


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class SmtpServer:
    """A test SMTP server that can be taken down and brought back on the same port."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = _free_port(host)
        self.handler = RecordingHandler()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[ReceivedMail]:
        return self.handler.messages

    @property
    def sessions(self) -> int:
        """SMTP sessions (EHLO/HELO greetings) seen so far."""
        return self.handler.sessions

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            # A stopped controller closes its event loop, so each start needs a new one.
            controller = Controller(
                self.handler, hostname=self.host, port=self.port, ready_timeout=5.0
            )
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse(self, address: str, reply: str = "550 5.1.1 No such user") -> None:
        """Answer RCPT TO:<address> with `reply` (4xx: try again, 5xx: give up)."""
        self.handler.refusals[address.lower()] = reply

    def accept_all(self) -> None:
        self.handler.refusals.clear()

    def clear(self) -> None:
        self.handler.messages.clear()
        self.handler.sessions = 0


_MAIL_KEYS = (
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_SUPPRESS_SEND",
)


@pytest.fixture
def smtp_server(request):
    """A running SMTP server; the `app` fixture (when used) is pointed at it."""
    server = SmtpServer()
    server.start()
    with _allowed_lock:
        _allowed_ports.add(server.port)
    app = request.getfixturevalue("app") if "app" in request.fixturenames else None
    saved: dict[str, Any] = {}
    saved_state = None
    if app is not None:
        from wijk.extensions import mail

        saved = {key: app.config.get(key) for key in _MAIL_KEYS}
        saved_state = app.extensions.get("mail")
        app.config.update(
            MAIL_SERVER=server.host,
            MAIL_PORT=server.port,
            MAIL_USE_TLS=False,
            MAIL_USE_SSL=False,
            MAIL_USERNAME=None,
            MAIL_PASSWORD=None,
            MAIL_SUPPRESS_SEND=False,
        )
        # Flask-Mail copies its settings at init_app; give it the new ones too.
        app.extensions["mail"] = mail.init_mail(app.config, app.debug, testing=False)
    try:
        yield server
    finally:
        if app is not None:
            app.config.update(saved)
            app.extensions["mail"] = saved_state
        server.stop()
        with _allowed_lock:
            _allowed_ports.discard(server.port)


@dataclass
class StraySmtpGuard:
    """Connection attempts the guard refused (host:port) during the current test."""

    attempts: list[str]


@pytest.fixture(autouse=True)
def no_stray_smtp(monkeypatch):
    """Fail any test that connects to an SMTP server other than an smtp_server fixture."""
    original = smtplib.SMTP.connect
    stray: list[str] = []
    guard = StraySmtpGuard(attempts=stray)

    def guarded_connect(self, host="localhost", port=0, source_address=None):
        target_host, target_port = host, port
        if not target_port and host.find(":") == host.rfind(":") and ":" in host:
            target_host, _, text_port = host.partition(":")
            target_port = int(text_port) if text_port.isdigit() else 0
        target_port = int(target_port or self.default_port)
        with _allowed_lock:
            allowed = target_host in LOOPBACK and target_port in _allowed_ports
        if not allowed:
            stray.append(f"{target_host}:{target_port}")
            pytest.fail(
                f"test opened an SMTP connection to {target_host}:{target_port}; "
                "use the smtp_server fixture",
                pytrace=False,
            )
        return original(self, host, port, source_address)

    monkeypatch.setattr(smtplib.SMTP, "connect", guarded_connect)
    yield guard
    if stray:
        # Also catches attempts made in threads, where the failure above is swallowed.
        pytest.fail("SMTP connections outside smtp_server: " + ", ".join(stray), pytrace=False)
