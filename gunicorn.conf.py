"""Gunicorn for PartnerHub (the image's web command: `gunicorn -c gunicorn.conf.py partnerhub.wsgi`).

Every value can be set from the environment; the defaults suit one container on a small machine.
"""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Sync workers: 2 per CPU plus one, at most 8 (each holds its own database connection).
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
# Longer than the longest a request may wait for the database (5 s to connect, 15 s per statement), so that
# the app answers with its own 503 page before gunicorn kills the worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests (with some jitter, so they are not all replaced at once), a
# guard against slow leaks. Not too often: a new worker imports the app again (about 3 s of CPU), and at 1,000
# the redirect benchmark lost three quarters of its throughput to replacements (bench_scale_out.py).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
# The TLS proxy in front: which addresses may say X-Forwarded-Proto / -For (the app reads the client address
# itself, by TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# One line per request on stdout: time, client, request, status, bytes, duration in ms.
accesslog = "-"
access_log_format = '%(t)s %(h)s "%(r)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
