"""Sign-in, sign-out, failures and lockouts go to the security log."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from liaison.security.services import security_event_record
from liaison.security.states import SecurityEventKind


@receiver(user_logged_in, dispatch_uid="liaison.security.logged_in")
def _logged_in(sender, request, user, **kwargs):
    security_event_record(kind=SecurityEventKind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="liaison.security.logged_out")
def _logged_out(sender, request, user, **kwargs):
    security_event_record(kind=SecurityEventKind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="liaison.security.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    security_event_record(
        kind=SecurityEventKind.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", "")),
    )


@receiver(user_locked_out, dispatch_uid="liaison.security.locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    # A sign-in through the API (the token view) hands axes DRF's request: flag the Django
    # request inside it too, so axes' middleware answers with the lockout response.
    inner = getattr(request, "_request", None)
    if inner is not None:
        inner.axes_locked_out = True
        inner.axes_credentials = getattr(request, "axes_credentials", None)
    security_event_record(kind=SecurityEventKind.LOCKED_OUT, request=request, username=username or "", status_code=429)
