"""Mail benchmarks, run by bench/run.py against the seeded instance:

- the outbox worker delivering N messages to a local aiosmtpd, against plain smtplib
  sending the same messages over one connection, in the same run;
- queueing a newsletter to 10,000 subscribers.
"""

from __future__ import annotations

import smtplib
import socket
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from sqlalchemy import delete, insert

from wijk import create_app
from wijk.extensions import db
from wijk.mail.delivery import drain
from wijk.models import OutboxMessage

N = 2000
BODY = "Beste buurtbewoner,\n\n" + "Dit is de nieuwsbrief van de wijk. " * 40


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def outbox_vs_smtplib(app, port: int, sink: Sink) -> str:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, OUTBOX_BATCH_SIZE=500)
    drain(app)  # mail queued before (the benchmark's sign-ups) is not part of the count
    rows = [
        {
            "kind": "bench",
            "to_addr": f"lid{n}@example.org",
            "subject": f"Nieuwsbrief {n}",
            "body_text": BODY,
            "body_html": f"<p>{BODY}</p>",
            "headers": {},
        }
        for n in range(N)
    ]
    db.session.execute(insert(OutboxMessage), rows)
    db.session.commit()
    started = time.perf_counter()
    report = drain(app)
    worker_seconds = time.perf_counter() - started
    assert report.sent == N, report
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.kind == "bench"))
    db.session.commit()

    sink.count = 0
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(N):
            message = EmailMessage()
            message["From"] = "Wijk <noreply@wijk.localhost>"
            message["To"] = f"lid{n}@example.org"
            message["Subject"] = f"Nieuwsbrief {n}"
            message.set_content(BODY)
            message.add_alternative(f"<p>{BODY}</p>", subtype="html")
            smtp.send_message(message)
    plain_seconds = time.perf_counter() - started
    assert sink.count == N
    worker_rate, plain_rate = N / worker_seconds, N / plain_seconds
    return (
        f"outbox worker: {worker_rate:.0f} msg/s, plain smtplib: {plain_rate:.0f} msg/s, "
        f"ratio {worker_rate / plain_rate:.2f} ({N} messages, one connection per batch)"
    )


def newsletter_queueing(app) -> str:
    from bench_newsletter import queue_10k

    return queue_10k(app)


def main() -> None:
    app = create_app()
    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with app.app_context():
            print(outbox_vs_smtplib(app, port, sink))
            print(newsletter_queueing(app))
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
