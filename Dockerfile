# Built as uv's Docker guide does it: dependencies and static files in a builder stage, the
# final stage without uv or its cache. Production pins the base image by digest (see README).
FROM python:3.11-slim AS builder

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# PyICU (through rigour and normality) has no wheels: it builds against ICU here. Debian's
# CPython (the stand-in base image here) keeps its headers in python3-dev; the official image
# has them already.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends build-essential pkg-config libicu-dev \
 && { python -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(sysconfig.get_paths()["include"] + "/Python.h"))' \
      || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-dev; } \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir uv==0.13.9
WORKDIR /app

COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project

COPY . .
# Static files as production serves them; the script makes its own throwaway settings.
RUN STATIC_ROOT=/app/staticfiles sh .ci/build-static && python -m compileall -q onboarding gunicorn.conf.py

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STATIC_ROOT=/app/staticfiles \
    DATA_DIR=/var/lib/onboarding \
    PATH=/opt/venv/bin:$PATH

# ICU's runtime library, whichever version the base image's Debian release has.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      "$(apt-cache search --names-only '^libicu[0-9]+$' | cut -d' ' -f1 | head -n1)" \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 app \
 && install -d -o app -g app -m 700 /var/lib/onboarding /var/lib/onboarding/documents \
      /var/lib/onboarding/beat
# Owned by root: the app user reads its code and cannot change it.
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app
WORKDIR /app

USER app
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/app/onboarding/web/healthprobe.py"]
CMD ["gunicorn", "onboarding.wsgi", "--config", "gunicorn.conf.py"]
