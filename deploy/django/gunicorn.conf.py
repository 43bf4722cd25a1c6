"""gunicorn settings for the Django app; deploy/bin/serve-django supplies the bind address."""

import os

wsgi_app = "shop_core.wsgi:application"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threaded workers keep idle HTTP/1.1 connections open (sync workers close after every response),
# so the gateway's connection pool can reuse them.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Longer than the gateway's pool idle timeout (50 s), so gunicorn never closes a connection the
# gateway is about to reuse.
keepalive = 75
timeout = 60
graceful_timeout = 20
# Same trust list as Django's TrustedProxyMiddleware; gunicorn uses it for wsgi.url_scheme.
forwarded_allow_ips = os.environ.get("TANDEM_TRUSTED_PROXIES", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# The control socket would default to one path per user, which two servers on one machine share.
control_socket_disable = True
