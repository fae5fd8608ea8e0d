# ideaflow's production image: one process serving HTTP, configured entirely by IDEAFLOW_* environment
# variables. Build: `docker build -t ideaflow .`; run: see README.md ("Running in production").

# --- front-end packages (htmx, Swagger UI), pinned by package-lock.json ------------------------------
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
# --ignore-scripts: nothing we serve needs an install script to run.
RUN npm ci --ignore-scripts --omit=dev --no-audit --no-fund --loglevel=error

# --- Python virtualenv with ideaflow and its pinned dependencies --------------------------------------
FROM python:3.11-slim-bookworm AS python
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/ideaflow
WORKDIR /build
COPY pyproject.toml README.md ./
# Dependencies first, in their own layer, so that a code change does not reinstall them.
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > requirements.txt \
    && /opt/ideaflow/bin/pip install --requirement requirements.txt
COPY src ./src
RUN /opt/ideaflow/bin/pip install --no-deps .

# --- runtime -----------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="ideaflow" \
      org.opencontainers.image.description="Self-hostable idea management and innovation voting" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later"

RUN groupadd --system --gid 10001 ideaflow \
    && useradd --system --uid 10001 --gid ideaflow --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin ideaflow \
    && mkdir /data \
    && chown ideaflow:ideaflow /data

# The installed package lives in site-packages, so the folders it reads at run time (templates, static
# files, front-end packages, migrations) are pointed at /app explicitly.
ENV PATH=/opt/ideaflow/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    IDEAFLOW_ENV=production \
    IDEAFLOW_HOST=0.0.0.0 \
    IDEAFLOW_PORT=8000 \
    IDEAFLOW_DATA_DIR=/data \
    IDEAFLOW_APP_DIR=/app \
    IDEAFLOW_TEMPLATES_DIR=/app/templates \
    IDEAFLOW_STATIC_DIR=/app/static \
    IDEAFLOW_NODE_MODULES_DIR=/app/node_modules

COPY --from=python /opt/ideaflow /opt/ideaflow
WORKDIR /app
COPY --from=assets /build/node_modules ./node_modules
COPY alembic.ini ./
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static

# Code and assets stay owned by root (read-only to the app); only /data is writable: the embedded
# SQLite database and the generated secret key live there when no PostgreSQL URL or key is given.
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('IDEAFLOW_PORT', '8000') + '/healthz', timeout=4)"]

# Migrate, then serve (exec: the server gets the container's signals). With several replicas, run
# `ideaflow db upgrade` once per release instead and start each replica with the command `ideaflow serve`.
CMD ["sh", "-c", "ideaflow db upgrade && exec ideaflow serve"]
