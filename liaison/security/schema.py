"""The API schema documents the refusals every operation can answer with, in the Liaison error format."""

ERROR = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["code", "message", "fields"],
}
REFUSALS = {
    "400": "The request is not valid (the fields say which input and why).",
    "401": "Not signed in (no or a wrong token).",
    "403": "The caller's role or department may not do this.",
    "404": "No such record, or not one the caller may see.",
    "409": "The record's state does not allow this step now.",
    "429": "Too many failed sign-ins: locked out for a while.",
    "503": "The database cannot be reached for a moment: nothing was saved; try again after Retry-After seconds.",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}}


def document_refusals(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the error responses to every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            # A list's filters are validated too: a GET may answer 400.
            codes = ["400", "401", "403", "404"] if method == "get" else ["400", "401", "403", "404", "409"]
            if operation.get("operationId", "").startswith("auth_token"):
                codes.append("429")
            codes.append("503")  # the database unreachable (liaison.core.drf)
            for code in codes:
                operation["responses"].setdefault(
                    code,
                    {
                        "description": REFUSALS[code],
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        **({"headers": RETRY_AFTER} if code == "503" else {}),
                    },
                )
    return result
