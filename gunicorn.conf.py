"""gunicorn's settings for the web process, the one place for them: the image runs
`gunicorn onboarding.wsgi --config gunicorn.conf.py`, and docker-compose.yml uses the image's
command as it is."""

import os

from gunicorn.http import wsgi

bind = "0.0.0.0:8000"
workers = 3
# docker stop waits 10 s before SIGKILL: requests in flight get 8 of them.
graceful_timeout = 8
# The heartbeat files on a memory file system: an overlay disk can stall them into timeouts.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - a directory of its own per container
# The only peer whose X-Forwarded-Proto makes a request https (wsgi.url_scheme): the TLS proxy.
# From any other peer the header is ignored, so a client reaching gunicorn cannot forge it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
# Paths without their query strings: a search term is personal data.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(response: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(response) if not line.startswith("Server:")]


# gunicorn names itself in a Server header on every response and has no setting to stop it;
# a scan should learn nothing of the software from the header.
wsgi.Response.default_headers = _default_headers_without_server
