"""gunicorn's settings for the web process, as the image and docker-compose.yml run it:
`gunicorn onboarding.wsgi --config python:onboarding.web.gunicorn_config`."""

from gunicorn.http import wsgi

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"
# Paths without their query strings: a search term is personal data.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(response: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(response) if not line.startswith("Server:")]


# gunicorn names itself in a Server header on every response and has no setting to stop it;
# a scan should learn nothing of the software from the header.
wsgi.Response.default_headers = _default_headers_without_server
