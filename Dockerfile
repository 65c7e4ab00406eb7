# Production image: gunicorn web, Celery worker and beat share it (docker-compose.yml).
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# Pango and fonts for WeasyPrint: names in any script render and are embedded, never as boxes (issue #13 item 4) —
# Noto core (Latin with diacritics, Vietnamese, Cyrillic, Greek, Arabic, Hebrew, Devanagari...), Noto CJK (Chinese,
# Japanese, Korean), DejaVu as the fallback. static/css/report.css names them; .ci/run installs the same packages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    fonts-dejavu-core fonts-noto-core fonts-noto-cjk fontconfig \
 && fc-cache -f \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 app
WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
# Runtime dependencies only, pinned by the lock the tests ran with.
RUN pip install --no-cache-dir -c requirements.lock .
COPY --chown=app:app . .
COPY --from=assets --chown=app:app /app/node_modules ./node_modules
# Throwaway keys of real strength (settings refuse a weak or missing one with DEBUG off); never kept in the image.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    FIELD_ENCRYPTION_KEYS="build:$(python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" \
    BLIND_INDEX_KEY="$(python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" \
    python manage.py collectstatic --noinput
USER app
EXPOSE 8000
CMD ["gunicorn", "compliance.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
