FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    STATIC_ROOT=/app/staticfiles \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

RUN pip install --no-cache-dir uv && useradd --create-home --uid 1000 app
WORKDIR /app

COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project

COPY . .
# Static files as production serves them; the script makes its own throwaway settings.
RUN STATIC_ROOT=/app/staticfiles sh .ci/build-static && chown -R app:app /app

USER app
EXPOSE 8000
# Bind, workers, an access log without query strings and no Server header: see the module.
CMD ["gunicorn", "onboarding.wsgi", "--config", "python:onboarding.web.gunicorn_config"]
