"""API plumbing shared by every app: permissions and the error format.

Every error leaves the API as ``{"code": ..., "message": ..., "fields": {...}}``:
a stable machine code and a message in the caller's language.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions, status
from rest_framework.response import Response

from liaison.core.errors import LiaisonError
from liaison.core.roles import require

logger = logging.getLogger(__name__)

# How long a client should wait before trying again when the database is unreachable.
RETRY_AFTER_SECONDS = 30


class RolePermission(permissions.DjangoModelPermissions):
    """The one permission check of the API (the default permission class).

    A view names the steps of its actions in ``step_actions``: DRF action name → the
    ``Action`` (or tuple of them) its service requires, from the app's ACTIONS table. A
    role the step is not for gets the service's own 403 (the app's ``not_allowed`` code and
    what it may not do) before the body is read; the service checks again, with the object
    rules. Every other request needs the model permission of its method, reads included
    (``view_<model>``). A view without a model (a report) names a step for ``get``, which
    HEAD and OPTIONS share; to its readers any other method answers 405.
    """

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        steps = getattr(view, "step_actions", {})
        name = getattr(view, "action", None) or request.method.lower()
        if name not in steps and request.method in ("HEAD", "OPTIONS"):
            name = "get"
        if name in steps:
            self._require(request.user, steps[name])
            return True
        if not hasattr(view, "get_queryset") and getattr(view, "queryset", None) is None:
            # A view without a model: who may not read it is refused; a reader learns it takes no such method.
            self._require(request.user, steps.get("get", ()))
            raise exceptions.MethodNotAllowed(request.method)
        return super().has_permission(request, view)

    @staticmethod
    def _require(user, actions) -> None:
        for action in actions if isinstance(actions, tuple) else (actions,):
            require(user, action)


def _flatten(detail) -> tuple[str, dict]:
    """Return the first message and a field → messages map from DRF's error detail."""
    if isinstance(detail, dict):
        fields = {}
        first = None
        for key, value in detail.items():
            messages = value if isinstance(value, list) else [value]
            flat = []
            for message in messages:
                if isinstance(message, dict):
                    flat.append(_flatten(message)[0])
                else:
                    flat.append(str(message))
            fields[key] = flat
            first = first or (flat[0] if flat else None)
        return first or _("The request is not valid."), fields
    if isinstance(detail, list):
        return (str(detail[0]) if detail else _("The request is not valid.")), {}
    return str(detail), {}


def _code_of(detail, default: str) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _code_of(value, default)
    if isinstance(detail, list) and detail:
        return _code_of(detail[0], default)
    return getattr(detail, "code", None) or default


def exception_handler(exc, context):
    """Turn every error into the Liaison error format."""
    from rest_framework.views import exception_handler as drf_exception_handler
    from rest_framework.views import set_rollback

    if isinstance(exc, OperationalError | InterfaceError):
        # The database is down or unreachable (restart, failover, connection lost): a
        # temporary state the client can retry, not a fault of the request. Whatever the
        # request had begun is rolled back with its transaction.
        logger.error("Database unavailable for %s", context["request"].path, exc_info=exc)
        set_rollback()
        body = {"code": "service_unavailable", "message": _("The service is unavailable for a moment (the database "
                "cannot be reached). Nothing was saved; try again shortly."), "fields": {}}
        return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if isinstance(exc, LiaisonError):
        body = {"code": str(exc.code), "message": str(exc), "fields": {}}
        if exc.field:
            body["fields"] = {exc.field: [str(exc)]}
        if exc.forbidden:
            status_code = status.HTTP_403_FORBIDDEN
        elif exc.conflict:
            status_code = status.HTTP_409_CONFLICT
        else:
            status_code = status.HTTP_400_BAD_REQUEST
        return Response(body, status=status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    message, fields = _flatten(detail)
    code = "invalid" if isinstance(exc, exceptions.ValidationError) else _code_of(detail, "error")
    response.data = {"code": code, "message": message, "fields": fields}
    return response
