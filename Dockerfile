FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

RUN pip install --no-cache-dir uv && useradd --create-home --uid 1000 app
WORKDIR /app

COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project

COPY . .
# collectstatic needs settings that load; these throwaway values never reach a running container.
RUN DEBUG=false SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    ALLOWED_HOSTS=build ALTAFID_TOKEN=build \
    python manage.py collectstatic --noinput \
    && chown -R app:app /app

USER app
EXPOSE 8000
CMD ["gunicorn", "onboarding.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
