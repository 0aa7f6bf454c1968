"""OpenAPI extensions: how drf-spectacular documents our token authentication, and the
error answers every operation can give (tracker.api.exceptions' one shape)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: `errors` maps a field to its messages, empty when the "
                   "error is about the request as a whole.",
    "properties": {
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "message": {"type": "string"},
        "errors": {"type": "object",
                   "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "request_id": {"type": "string"},
    },
    "required": ["status", "code", "message", "errors"],
}
ERROR_DESCRIPTIONS = {
    "400": "Bad input: `errors` names each field or query parameter.",
    "401": "Missing or wrong credentials.",
    "403": "Not allowed.",
    "404": "No such object, or no such page of the list.",
    "429": "Too many requests with this token; retry after `Retry-After` seconds.",
}
# Answered by the HTTP server before the app (gunicorn's request line limit is 4094 bytes;
# a proxy has its own), so with its own plain body, not the JSON error shape.
URI_TOO_LONG = {"description": "The query string is longer than the server accepts."}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <secret>`; create one with "
                           "`manage.py create_api_token USERNAME` or in the admin.",
        }


def document_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS: add the error answers each operation can give, with their body.

    Every operation needs a token (401), may be refused (403) and is throttled per token
    (429); one with query parameters or a body may get a 400 (and with a very long query
    string a 414); one with an id in its path, or a page number, a 404. Without them a
    client (or schemathesis) meets status codes the document never mentioned.
    """
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            parameters = operation.get("parameters", [])
            codes = {"401", "403", "429"}
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                codes.add("400")
            if any(p.get("in") == "path" or p.get("name") == "page" for p in parameters):
                codes.add("404")
            responses = operation.setdefault("responses", {})
            if any(p.get("in") == "query" for p in parameters):
                responses.setdefault("414", URI_TOO_LONG)
            for code in sorted(codes):
                response = responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code]})
                response.setdefault("content", body)
            operation["responses"] = dict(sorted(responses.items()))
    return result
