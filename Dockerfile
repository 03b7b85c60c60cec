FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs a key to import settings; the real one comes from the environment at run time.
RUN SECRET_KEY=build-only-not-secret python manage.py collectstatic --no-input
RUN useradd --create-home rumbo && mkdir -p var && chown -R rumbo var
USER rumbo
EXPOSE 8000
# --timeout 60: twice gunicorn's default; the longest request, a CSV import at the page's limit (5 MB,
# 100,000 rows), takes about 17 s on SQLite and 5 s on PostgreSQL. Longer work belongs in the worker.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
