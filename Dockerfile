# Partnerships Map: production image. Build: docker build -t partnerships-map .
# Run migrations once per release (prestart), then the web process:
#   docker run --rm -e APP_DATABASE_URL=… partnerships-map python -m app migrate
#   docker run -p 8000:8000 -e APP_DATABASE_URL=… -e APP_SECRET_KEY=… partnerships-map

FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim AS build
WORKDIR /build
RUN python -m venv /venv
COPY pyproject.toml README.md ./
COPY app ./app
# Dependencies only: the app itself runs from /srv so templates, static and migrations sit beside it.
# The web image leaves out the importers' geospatial stack; build with EXTRAS=ingest to import.
ARG EXTRAS=""
RUN /venv/bin/pip install --no-cache-dir ".${EXTRAS:+[$EXTRAS]}" \
    && /venv/bin/pip uninstall -y partnerships-map

FROM python:3.11-slim AS runtime
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PATH=/venv/bin:$PATH PYTHONPATH=/srv \
    APP_ENVIRONMENT=production
RUN useradd --uid 1000 --create-home app
WORKDIR /srv
COPY --from=build /venv /venv
COPY --chown=app:app alembic.ini ./
COPY --chown=app:app migrations ./migrations
COPY --chown=app:app app ./app
COPY --chown=app:app templates ./templates
COPY --chown=app:app static ./static
COPY --chown=app:app geodata ./geodata
COPY --chown=app:app scripts/vendor_assets.py scripts/precompress_static.py ./scripts/
COPY --from=assets /build/node_modules ./node_modules
# Static files are compressed once here (brotli and gzip beside each), not per request.
RUN python scripts/vendor_assets.py && python scripts/precompress_static.py && rm -rf node_modules
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["python", "-m", "app", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
