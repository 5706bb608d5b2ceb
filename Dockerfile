# Production image: runtime dependencies only, front-end assets from npm, runs as a non-root user.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-deps -r requirements/base.txt
COPY --from=assets /build/node_modules ./node_modules
COPY . .
RUN useradd --create-home --uid 10001 bcbt \
    && mkdir -p /app/var /app/staticfiles \
    && DJANGO_SECRET_KEY=collectstatic-only BCBT_BASE_URL=https://collectstatic.invalid python manage.py collectstatic --noinput \
    && chown -R bcbt:bcbt /app/var /app/staticfiles
USER bcbt
EXPOSE 8000
# The same command line as docker-compose.yml's web service.
CMD ["gunicorn", "bcbt.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "10", "--access-logfile", "-", "--access-logformat", "{\"time\": \"%(t)s\", \"request_id\": \"%({x-request-id}o)s\", \"method\": \"%(m)s\", \"status\": \"%(s)s\", \"duration_s\": \"%(L)s\", \"bytes\": \"%(B)s\"}"]
