"""The OpenAPI document as the API really answers: problem+json errors, the statuses every
operation can give, and endpoints the public may call marked as such.

Why: django-ninja documents only the responses an operation declares, each as
``application/json``, and marks every endpoint with any authentication as requiring it. A client
generated from that would not expect a 404 on an unknown id, a 400 on a malformed value, a 401
on a bad token, or a 429 over a rate limit, would parse errors as the wrong media type, and
would send credentials where the public may call without them.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation

from infuse.core.api_auth import public_access
from infuse.core.problems import PROBLEM_CONTENT_TYPE
from infuse.core.schemas import ProblemOut

STANDARD = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
}


class _Schema(OpenAPISchema):
    def operation_security(self, operation: Operation) -> list[dict[str, Any]] | None:
        security = super().operation_security(operation)
        if security and public_access in operation.auth_callbacks:
            security.append({})  # no credentials at all: the public
        return security

    def _problem_reference(self) -> dict[str, str]:
        if "ProblemOut" not in self.schemas:
            definition = ProblemOut.model_json_schema(
                ref_template=REF_TEMPLATE, mode="serialization"
            )
            self.add_schema_definitions({"ProblemOut": definition})
        return {"$ref": REF_TEMPLATE.format(model="ProblemOut")}

    def responses(self, operation: Operation) -> dict[int, dict[str, Any]]:
        documented = super().responses(operation)
        problem = self._problem_reference()
        wanted = {400, 429}
        if operation.auth_callbacks and public_access not in operation.auth_callbacks:
            # Anyone signed in may be refused: for their role, or until their email address
            # is confirmed (which refuses every operation that needs a role).
            wanted.update({401, 403})
        if "{" in operation.path:
            wanted.add(404)
        for status in wanted - set(documented):
            documented[status] = {"description": STANDARD[status]}
        for status, response in documented.items():
            if int(status) >= 400:
                response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": problem}}
        return documented


class DocumentedAPI(NinjaAPI):
    """The project's NinjaAPI, whose OpenAPI document says what it really answers."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return _Schema(self, path_prefix)
