"""gunicorn defaults for Wijk: `gunicorn app:app` picks this file up from the working
directory. Every value can be overridden with GUNICORN_* style flags on the command line."""

import gc
import multiprocessing
import os

bind = os.environ.get("WIJK_BIND", "127.0.0.1:8000")
# Sync workers suit a server-rendered app whose requests are short database reads.
workers = int(os.environ.get("WIJK_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Load the app once in the master: less memory per worker, faster restarts. It pays only
# with pre_fork's gc.freeze() below (issue 16, 2 workers after a few thousand requests:
# PSS master + workers 194 MB without the freeze, 163 MB with it, 171 MB not preloaded).
preload_app = True
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound; rarely,
# since a new worker starts with an empty page cache.
max_requests = 100_000
max_requests_jitter = 10_000
# Behind a reverse proxy, set FLASK_PROXY_FIX_HOPS=1 so X-Forwarded-* is trusted once.
forwarded_allow_ips = os.environ.get("WIJK_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access logs without client addresses: Wijk does not store IP addresses.
accesslog = "-" if os.environ.get("WIJK_ACCESS_LOG") else None
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"


def on_starting(server):
    """Refuse what would make the rate limits vanish: each worker counting alone in
    memory. The default storage (a SQLite file in the instance folder) and Redis
    (REDIS_URL) are shared by all workers."""
    storage = os.environ.get("FLASK_RATELIMIT_STORAGE_URI", "")
    if server.cfg.workers > 1 and storage.startswith("memory") and not os.environ.get("REDIS_URL"):
        raise SystemExit(
            "Wijk: FLASK_RATELIMIT_STORAGE_URI=memory:// with more than one gunicorn worker "
            "would let every worker count rate limits alone. Leave it unset (a file shared "
            "by the workers of this machine), set REDIS_URL, or run WIJK_WORKERS=1."
        )


def pre_fork(server, worker):
    """Move everything the master loaded out of the garbage collector's sight, so a
    worker's collections never write to (and copy) the pages it shares with the master."""
    gc.freeze()
