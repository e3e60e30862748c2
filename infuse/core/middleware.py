"""Turn domain errors raised anywhere in a view into the right page or problem+json."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import translation

from infuse.core.errors import DomainError, NotAuthenticated
from infuse.core.problems import render_error, wants_problem_json


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if isinstance(exception, NotAuthenticated) and not wants_problem_json(request):
            return redirect_to_login(request.get_full_path())
        return render_error(exception, request)


class ApiLanguageMiddleware:
    """The API speaks the language of Accept-Language (pages take theirs from the URL prefix).

    Django's LocaleMiddleware treats every unprefixed path as English when the default language
    has no prefix; the API has no prefix at all, so it negotiates here instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", language)
            return response
        return self.get_response(request)


class HeadAsGetMiddleware:
    """HEAD answers exactly as GET would, without the body (RFC 9110 §9.3.2).

    Link checkers and uptime monitors send HEAD; function views guarded by ``require_GET`` or
    ``require_http_methods(["GET", ...])`` would answer 405. The request runs as a GET (a safe
    method, so nothing changes) and the body is dropped, keeping its length and headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = iter(())
        else:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response
