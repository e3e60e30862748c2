"""A bare Django site with one view, for bench/pages.py: the floor a page on the same server,
with the same workers and threads, cannot beat (`gunicorn hello_site:application`)."""

from __future__ import annotations

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello")


settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="bench-only-not-secret",
    MIDDLEWARE=[],
)
urlpatterns = [path("", hello)]
django.setup()
application = get_wsgi_application()
