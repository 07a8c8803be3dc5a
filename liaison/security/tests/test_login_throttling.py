"""Login throttling (django-axes) and the security log of sign-ins, failures, lockouts and refusals."""

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessLog
from django.db.models import ProtectedError
from django.urls import reverse

from liaison.core.roles import Role
from liaison.security.models import SecurityEvent
from liaison.security.services import security_event_record
from liaison.security.states import SecurityEventKind

PASSWORD = "pw-for-tests"  # what UserFactory sets


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    return settings


class AxesClock:
    """The time django-axes stamps attempts with and measures the cool-off from, moved by the test."""

    def __init__(self, start: dt.datetime):
        self.moment = start

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta) -> None:
        self.moment += dt.timedelta(**delta)


@pytest.fixture
def axes_clock(axes_on, monkeypatch):
    clock = AxesClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    monkeypatch.setattr("axes.handlers.proxy.now", clock)  # request.axes_attempt_time
    monkeypatch.setattr("axes.attempts.now", clock)  # the cool-off threshold without a request time
    return clock


def _sign_in(client, username, password, ip="198.51.100.7"):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_failures_lock_that_user_and_address_out_for_15_minutes(axes_on, client, user_with_role):
    user = user_with_role(Role.SALES_STAFF)
    for _attempt in range(4):
        assert _sign_in(client, user.username, "wrong").status_code == 200
    locked = _sign_in(client, user.username, "wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Too many failed sign-ins" in html and "15 minutes" in html
    assert 'id="login-form"' in html  # still the login page, with the reason on it
    # Even the right password is refused now, from that address...
    assert _sign_in(client, user.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # ... but the same user signs in from another address, and another user from this one.
    assert _sign_in(client, user.username, PASSWORD, ip="203.0.113.9").status_code == 302
    attempt = AccessAttempt.objects.get(username=user.username, ip_address="198.51.100.7")
    assert attempt.failures_since_start >= 5
    kinds = list(SecurityEvent.objects.filter(username=user.username).values_list("kind", flat=True))
    assert kinds.count(SecurityEventKind.LOCKED_OUT) >= 1
    assert kinds.count(SecurityEventKind.LOGIN_FAILED) >= 5
    assert SecurityEventKind.LOGIN in kinds


def test_lockout_expires_after_the_cool_off(axes_clock, client, user_with_role):
    user = user_with_role(Role.SALES_STAFF)
    for _attempt in range(5):
        axes_clock.advance(seconds=10)
        _sign_in(client, user.username, "wrong")
    axes_clock.advance(minutes=14, seconds=59)  # 15 minutes less a second after the fifth failure
    assert _sign_in(client, user.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # That refused attempt counts as a failure too and starts the 15 minutes again (axes'
    # AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT): 14:59 later, still
    # locked...
    axes_clock.advance(minutes=14, seconds=59)
    assert _sign_in(client, user.username, PASSWORD).status_code == 429
    axes_clock.advance(minutes=15, seconds=1)  # ... 15 minutes and a second later, the cool-off is over
    assert _sign_in(client, user.username, PASSWORD).status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_failures_older_than_the_cool_off_do_not_count(axes_clock, client, user_with_role):
    user = user_with_role(Role.SALES_STAFF)
    for _attempt in range(4):
        assert _sign_in(client, user.username, "wrong").status_code == 200
    axes_clock.advance(minutes=15, seconds=1)  # the four failures expire
    assert _sign_in(client, user.username, "wrong").status_code == 200
    assert _sign_in(client, user.username, PASSWORD).status_code == 302


def test_success_is_logged_and_resets_the_count(axes_on, client, user_with_role):
    user = user_with_role(Role.SALES_STAFF)
    for _attempt in range(3):
        _sign_in(client, user.username, "wrong")
    assert _sign_in(client, user.username, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    assert AccessLog.objects.filter(username=user.username).exists()
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN).get()
    assert (event.user, event.ip_address, event.path) == (user, "198.51.100.7", reverse("admin:login"))
    client.post(reverse("admin:logout"))
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGOUT, user=user).exists()


def test_api_token_still_works_and_is_throttled_too(axes_on, api_client, user_with_role):
    user = user_with_role(Role.SALES_STAFF)
    url = reverse("api-token")
    response = api_client.post(url, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/customers/").status_code == 200
    api_client.credentials()
    for _attempt in range(5):
        api_client.post(url, {"username": user.username, "password": "wrong"}, format="json")
    locked = api_client.post(url, {"username": user.username, "password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"


def test_session_sign_in_still_reaches_the_api(axes_on, client, user_with_role):
    user = user_with_role(Role.SALES_STAFF)
    assert _sign_in(client, user.username, PASSWORD).status_code == 302
    assert client.get("/api/v1/customers/").status_code == 200


def test_refused_page_and_api_calls_are_logged_with_user_ip_and_path(client, api_client, user_with_role):
    user = user_with_role(Role.RESPONSIBLE_MEMBER)
    client.force_login(user)
    assert client.get(reverse("admin:core_user_changelist"), REMOTE_ADDR="192.0.2.4").status_code == 403
    api_client.force_authenticate(user)
    assert api_client.get("/api/v1/customers/", REMOTE_ADDR="192.0.2.5").status_code == 403
    events = list(SecurityEvent.objects.filter(kind=SecurityEventKind.ACCESS_REFUSED).order_by("pk"))
    assert [(e.user, e.ip_address, e.path, e.status_code) for e in events] == [
        (user, "192.0.2.4", reverse("admin:core_user_changelist"), 403),
        (user, "192.0.2.5", "/api/v1/customers/", 403),
    ]


def test_anonymous_api_call_is_logged_as_refused(api_client, db):
    assert api_client.get("/api/v1/orders/").status_code in {401, 403}
    event = SecurityEvent.objects.get()
    assert (event.kind, event.user, event.path) == (SecurityEventKind.ACCESS_REFUSED, None, "/api/v1/orders/")


def test_security_events_are_never_changed_or_deleted(db):
    event = security_event_record(kind=SecurityEventKind.LOGIN_FAILED, username="x")
    with pytest.raises(ProtectedError):
        event.delete()
    with pytest.raises(ProtectedError):
        SecurityEvent.objects.all().delete()
    with pytest.raises(ProtectedError):
        SecurityEvent.objects.update(username="y")
    event.username = "y"
    with pytest.raises(ProtectedError):
        event.save()
    assert SecurityEvent.objects.get().username == "x"


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_security_log_is_read_only_and_for_administrators(client, user_with_role, role):
    event = security_event_record(kind=SecurityEventKind.LOGIN_FAILED, username="someone")
    client.force_login(user_with_role(role))
    listing = client.get(reverse("admin:security_securityevent_changelist"))
    if role != Role.ADMINISTRATOR:
        assert listing.status_code == 403
        return
    assert listing.status_code == 200 and "someone" in listing.content.decode()
    assert client.get(reverse("admin:security_securityevent_add")).status_code == 403
    assert client.post(reverse("admin:security_securityevent_delete", args=[event.pk])).status_code == 403
    assert SecurityEvent.objects.filter(pk=event.pk).exists()
