"""Entry point for `flask run`, `flask demo`, gunicorn (`gunicorn app:app`)."""

from wijk import create_app

app = create_app()
