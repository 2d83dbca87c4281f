"""gunicorn's settings for Fourfold: `gunicorn supervision.wsgi` reads this file from here.

Each value can be changed from the environment (README, "Running several app servers").
"""

import os

# Where to listen: the proxy forwards to this address.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Worker processes: about two per core. Each keeps one database connection (CONN_MAX_AGE).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A request that takes longer is stopped and logged: no page should come near it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Restart each worker now and then (with jitter, so not all at once): bounds any slow growth.
max_requests = 2000
max_requests_jitter = 200
# Only the proxy's X-Forwarded-* headers are believed (its address, or a comma-separated list).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
