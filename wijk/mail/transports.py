"""Where a built message goes: an SMTP relay (one reused session per batch) or, on the
embedded default without MAIL_SERVER, an .eml file in MAIL_FILE_DIR."""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
import tempfile
from pathlib import Path
from typing import Any, Protocol

import flask_mail
from flask import current_app

from wijk.extensions import mail
from wijk.mail.errors import TransportUnavailable, describe
from wijk.mail.message import Outgoing, sender


class Transport(Protocol):
    def send(self, out: Outgoing, message: flask_mail.Message) -> None: ...

    def close(self) -> None: ...


class _SmtpConnection(flask_mail.Connection):
    """Flask-Mail's connection with a socket timeout and certificate-checked TLS, which
    its own configure_host lacks: a hung relay must not freeze the worker."""

    def __init__(self, state: Any, timeout: float) -> None:
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP:
        state = self.mail
        context = ssl.create_default_context()
        host: smtplib.SMTP
        if state.use_ssl:
            host = smtplib.SMTP_SSL(
                state.server, int(state.port), timeout=self.timeout, context=context
            )
        else:
            host = smtplib.SMTP(state.server, int(state.port), timeout=self.timeout)
        try:
            host.set_debuglevel(int(state.debug))
            if state.use_tls:
                host.starttls(context=context)
            if state.username and state.password:
                host.login(state.username, state.password)
        except BaseException:
            host.close()
            raise
        return host


class SmtpTransport:
    """One SMTP session for a whole batch, through Flask-Mail."""

    def __init__(self) -> None:
        config = current_app.config
        # Flask-Mail reads its settings once, at init_app; build them from the live
        # config instead. Its TESTING default (suppress sending) is ignored on purpose:
        # a suppressed send would mark a row `sent` that nobody received.
        state = mail.init_mail(config, current_app.debug, testing=False)
        state.suppress = False
        timeout = float(config["MAIL_TIMEOUT"])
        self._stack = contextlib.ExitStack()
        try:
            # Flask-Mail types __exit__'s arguments as never None, so it is no context
            # manager to typeshed; at run time it is one.
            connection = _SmtpConnection(state, timeout)
            self.connection: _SmtpConnection = self._stack.enter_context(connection)  # type: ignore[arg-type]
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportUnavailable(f"SMTP connection failed: {describe(exc)}") from exc

    def send(self, out: Outgoing, message: flask_mail.Message) -> None:
        self.connection.send(message)

    def close(self) -> None:
        try:
            self._stack.close()
        except (OSError, smtplib.SMTPException):
            host = self.connection.host
            if host is not None:
                host.close()


class FileTransport:
    """Writes each message as an RFC 5322 .eml file, for development without a relay."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)
        try:
            # The files hold links with tokens and addresses: readable by the owner only.
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise TransportUnavailable(f"mail directory unusable: {exc}") from exc

    def send(self, out: Outgoing, message: flask_mail.Message) -> None:
        data = message.as_bytes()
        # The name comes from the row only, never from user input.
        name = f"{out.created_at:%Y%m%dT%H%M%S}-{out.id:08d}.eml"
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, self.directory / name)  # readers never see half a file
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        # current_app is typed as the Flask it stands for, not as the proxy it is.
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        flask_mail.email_dispatched.send(app, message=message)

    def close(self) -> None:
        pass


def _uses_smtp() -> bool:
    config = current_app.config
    return bool(config.get("MAIL_SERVER")) and not config.get("MAIL_SUPPRESS_SEND")


def describe_transport() -> str:
    """Where mail goes, in words, for the CLI and logs."""
    config = current_app.config
    if _uses_smtp():
        return f"SMTP {config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    return f".eml files in {config['MAIL_FILE_DIR']}"


def open_transport() -> Transport:
    """The transport for one batch; raises TransportUnavailable when mail cannot go out
    at all right now (no sender set, relay down, directory unusable)."""
    sender()
    if _uses_smtp():
        return SmtpTransport()
    return FileTransport(current_app.config["MAIL_FILE_DIR"])
