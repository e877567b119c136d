"""gunicorn defaults for Wijk: `gunicorn app:app` picks this file up from the working
directory. Every value can be overridden with GUNICORN_* style flags on the command line."""

import multiprocessing
import os

bind = os.environ.get("WIJK_BIND", "127.0.0.1:8000")
# Sync workers suit a server-rendered app whose requests are short database reads.
workers = int(os.environ.get("WIJK_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Load the app once in the master: less memory per worker, faster restarts.
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
