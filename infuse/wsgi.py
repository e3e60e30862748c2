"""WSGI entry point (gunicorn infuse.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from infuse.core import collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infuse.settings")
with collector.loading():
    application = get_wsgi_application()
