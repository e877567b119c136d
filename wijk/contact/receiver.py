"""The SMTP side of `flask relay-inbound`: an aiosmtpd server that answers RCPT for relay
aliases only and hands accepted mail to wijk.contact.inbound. Database work runs in a
worker thread, each call in its own app and request context (for the links in the mail)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from aiosmtpd.controller import Controller
from flask import Flask

from wijk.clock import utcnow
from wijk.contact import inbound

T = TypeVar("T")


class RelayHandler:
    def __init__(self, app: Flask, base_url: str) -> None:
        self.app = app
        self.base_url = base_url

    def _in_app(self, work: Callable[..., T], *args: Any) -> T:
        with self.app.test_request_context(base_url=self.base_url):
            return work(*args, utcnow())

    async def _run(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(None, self._in_app, work, *args)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = await self._run(inbound.check_recipient, address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        await self._run(inbound.relay, envelope.mail_from or "", raw, list(envelope.rcpt_tos))
        return "250 Message accepted"


def controller(app: Flask, host: str, port: int, base_url: str) -> Controller:
    """A stopped receiver on host:port; mail above RELAY_MAX_BYTES is refused (552)."""
    return Controller(
        RelayHandler(app, base_url),
        hostname=host,
        port=port,
        ready_timeout=5.0,
        data_size_limit=int(app.config["RELAY_MAX_BYTES"]),
        server_hostname=app.config["RELAY_DOMAIN"],
    )
