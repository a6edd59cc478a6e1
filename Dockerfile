# changemgmt image: the Django app with its Python dependencies, the npm front-end libraries
# (installed from package-lock.json) and the collected, hashed static files served by whitenoise.
# The same image runs web (gunicorn), worker and beat (celery); see docker-compose.yml.

FROM node:20-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CHANGEMGMT_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles
WORKDIR /app
RUN useradd --create-home --uid 1000 changemgmt

COPY pyproject.toml ./
# Every app in INSTALLED_APPS (tests/kernel/test_ops_serving.py checks none is missing).
COPY changemgmt ./changemgmt
COPY changes ./changes
COPY approvals ./approvals
COPY cab ./cab
COPY audit ./audit
COPY demo ./demo
COPY metrics ./metrics
# Editable install: settings find templates/ and static/ next to the packages, in /app.
RUN pip install -e .

COPY --from=frontend /app/node_modules ./node_modules
COPY manage.py ./
COPY deploy/gunicorn.conf.py ./deploy/gunicorn.conf.py
COPY templates ./templates
COPY static ./static
# collectstatic only reads settings; throwaway values satisfy the DEBUG-off checks at build time.
RUN SECRET_KEY=collectstatic-at-build-time-only LEDGER_SIGNING_KEY_FILE=/nonexistent DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        python manage.py collectstatic --no-input -v 0 \
    && mkdir -p /app/var && chown -R changemgmt:changemgmt /app/var /app/staticfiles

USER changemgmt
EXPOSE 8000
# Workers, preload, heartbeat folder, recycling: deploy/gunicorn.conf.py says what and why.
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "changemgmt.wsgi"]
