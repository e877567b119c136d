"""The ceiling: a bare Flask app that renders a comparable 20-item page from memory, with
no database, no extensions and the same gunicorn setup. Wijk's pages are compared with it
in the same run, so the ratio says how much the app costs on top of Flask itself.

The template is loaded by name, so Jinja compiles it once, as it does every template an
app loads from its folder. Until 2026-12-04 the page called render_template_string, which
compiles its source on every request: 2.7 ms a request in-process instead of 0.7, so every
ratio measured before then was against a ceiling several times slower than Flask is."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, render_template
from jinja2 import DictLoader

app = Flask(__name__)

START = datetime(2026, 12, 1, 10, 0)
ITEMS = [
    {
        "id": n,
        "title": f"Activiteit nummer {n}",
        "location": "Buurthuis De Linde",
        "starts": START + timedelta(hours=n),
        "recurrence": "Elke dinsdag" if n % 3 else "",
    }
    for n in range(20)
]

PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{{ name }} · Wijk</title>
<link rel="stylesheet" href="/static/css/wijk.css"></head>
<body><header><a href="/">Wijk</a><nav><a href="/">Wijken</a></nav></header>
<main><h1>{{ name }}</h1><h2>Agenda</h2><ul class="stack">
{% for item in items %}<li><article class="card"><p class="card-kicker">
<time datetime="{{ item.starts.isoformat() }}">
{{ item.starts.strftime('%A %d %B %Y, %H:%M') }}</time></p>
<h3 class="card-title"><a href="/activiteit/{{ item.id }}">{{ item.title }}</a></h3>
<p class="card-meta">{{ item.location }}</p>
{% if item.recurrence %}<p class="card-meta">{{ item.recurrence }}</p>{% endif %}
</article></li>{% endfor %}</ul></main><footer>Wijk</footer></body></html>"""


# Loaded by name, so Jinja compiles it once and Flask renders it as any app's template.
app.jinja_loader = DictLoader({"page.html": PAGE})  # type: ignore[assignment]


@app.get("/")
@app.get("/<path:anything>")
def page(anything: str = ""):
    return render_template("page.html", name="Lombok", items=ITEMS)
