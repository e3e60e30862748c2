"""The InFuSe JSON API at /api/v1/ (django-ninja; OpenAPI docs at /api/v1/docs).

Authentication: a personal API token as ``Authorization: Bearer infuse_…``, or the browser's
session. Every error is RFC 9457 problem+json with the same message keys as the pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csp import csp_override
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from infuse.adaption.api import router as adaption_router
from infuse.api_schema import DocumentedAPI
from infuse.core.api import private as core_private
from infuse.core.api import public as core_public
from infuse.core.api_auth import SIGNED_IN_AUTH
from infuse.core.errors import (
    DomainError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    invalid_input_from,
)
from infuse.core.problems import problem_response
from infuse.datalab.api import router as datalab_router
from infuse.fund.api import router as fund_router
from infuse.procurement.api import router as procurement_router
from infuse.region.api import router as region_router

CSRF_REFUSED = _(
    "This change came from your browser session without its security token. Reload the page and "
    "try again, or send a personal API token instead of the session."
)

# Swagger UI (served from our own static files) sets inline styles as it draws; scripts stay
# under the site's nonce policy. The docs page is the only exception to "no inline styles".
DOCS_CSP: dict[str, Any] = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}

api = DocumentedAPI(
    title="InFuSe API",
    version="1",
    description=(
        "Open API of InFuSe, the innovation platform of the ten Cardiff Capital Region councils. "
        "Reference data is public; other endpoints need a personal API token "
        "(create one on your account page) sent as `Authorization: Bearer <token>`. "
        "Errors are RFC 9457 problem details. Send `Accept-Language: cy` for Welsh messages."
    ),
    auth=SIGNED_IN_AUTH,
    urls_namespace="api",
    docs_decorator=csp_override(DOCS_CSP),
)
api.add_router("/", core_public)
api.add_router("/", core_private)
api.add_router("/data", datalab_router)
api.add_router("/", adaption_router)
api.add_router("/procurement", procurement_router)
api.add_router("/fund", fund_router)
api.add_router("/", region_router)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem_response(exc, request)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(NotAuthenticated(), request)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return problem_response(invalid_input_from(exc.errors), request)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(NotFound(), request)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return problem_response(PayloadTooLarge(), request)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 413:
        return problem_response(PayloadTooLarge(), request)
    if exc.status_code == 404:
        return problem_response(NotFound(), request)
    if exc.status_code == 403:  # only the CSRF check of a signed-in session raises it
        return problem_response(PermissionDenied(CSRF_REFUSED), request)
    return problem_response(InvalidInput(str(exc)), request)


# This module is the API's URLconf, included from infuse.urls when first used.
urlpatterns, _app_name, _namespace = api.urls
assert (_app_name, _namespace) == ("ninja", "api"), "infuse.urls includes the API under these"
