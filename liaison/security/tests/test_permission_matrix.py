"""R-4: every page and API endpoint × every role (and anyone signed out), from the one table in matrix.py.

The endpoints come from the real URLconf: one missing from the table fails here. Each
case is one role making the calls of one endpoint against the shared ``world``:
a read (GET) and the representative write. A page step posts a body that is valid and a
record in the state the step needs (bodies.py): a role the step is for gets through and
writes; every other role sends that same body and is refused. A refused write changes
nothing in the database (only the security log and the session may be written).
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.core import clock
from liaison.core.roles import Role
from liaison.security.tests.bodies import BODIES, WITHOUT_A_VALID_BODY
from liaison.security.tests.matrix import ANONYMOUS, MATRIX, SCOPED_LISTS, SCOPED_RECORDS, endpoints

ROLES = [ANONYMOUS, *Role]
ALLOWED_TO_WRITE_ALONGSIDE = ("security_securityevent", "django_session", "axes_", "core_user")


def _url(name: str, world, **override) -> str:
    if name.startswith("/"):
        return name
    access = MATRIX[name]
    kwargs = {key: _value(world, ref) for key, ref in access.url_kwargs().items()}
    return reverse(name, kwargs={**kwargs, **override})


def _value(world, ref: str):
    """A URL argument: "=text" as written, else the world record's id (or the world's value itself)."""
    if ref.startswith("="):
        return ref[1:]
    found = getattr(world, ref)
    return getattr(found, "pk", found)


def _client(client, world, role):
    if role != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def _to_login(response) -> bool:
    return response.status_code == 302 and "/login/" in response["Location"]


def _writes(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and not any(table in query["sql"] for table in ALLOWED_TO_WRITE_ALONGSIDE)
    ]


def test_r_4_every_page_step_posts_a_valid_body():
    steps = {name for name, access in MATRIX.items() if access.write is not None and _is_page(name)}
    missing = sorted(steps - set(BODIES) - WITHOUT_A_VALID_BODY)
    assert not missing, f"Add a valid body for these page steps to liaison/security/tests/bodies.py: {missing}"
    assert not set(BODIES) - steps, "bodies.py has bodies for what is not a page step of the matrix"


def _is_page(name: str) -> bool:
    return ":" in name or name == "account-language"  # the API's URL names have no namespace


def test_r_4_every_endpoint_is_in_the_matrix():
    missing = [name for name in endpoints() if name not in MATRIX]
    assert not missing, f"Add these endpoints to MATRIX in liaison/security/tests/matrix.py: {missing}"
    gone = [name for name in MATRIX if name not in endpoints()]
    assert not gone, f"These names in liaison/security/tests/matrix.py are no longer in the URLconf: {gone}"


@pytest.mark.parametrize("role", ROLES, ids=str)
@pytest.mark.parametrize("name", endpoints())
def test_r_4_permission_matrix(world, db, client, name, role):
    assert name in MATRIX, f"Add {name!r} to MATRIX in liaison/security/tests/matrix.py"
    access = MATRIX[name]
    url = _url(name, world)
    api = url.startswith("/api/")
    client = _client(client, world, role)

    if access.read is not None:
        response = client.get(url)
        if role in access.read:
            ok = response.status_code == 200 or (response.status_code == 302 and not _to_login(response))
            assert ok, (name, role, response.status_code)
        else:
            assert response.status_code in {401, 403, 404} or _to_login(response), (name, role, response.status_code)

    if access.write is not None and name in BODIES:
        override, body, *day = BODIES[name](world, role)
        url = _url(name, world, **(override or {}))
        with clock.frozen(day[0] if day else clock.now()), CaptureQueriesContext(connection) as queries:
            response = client.post(url, data=body)
        status = response.status_code
        if role in access.write:
            messages = [str(m) for m in response.context["messages"]] if response.context else []
            assert status == 302 and not _to_login(response), (name, role, status, messages, _form_errors(response))
            assert _writes(queries), (name, role, "the step wrote nothing")
        else:
            assert status in {401, 403, 404} or _to_login(response), (name, role, status)
            assert _writes(queries) == [], (name, role, _writes(queries))
    elif access.write is not None:
        with CaptureQueriesContext(connection) as queries:
            if api:
                response = getattr(client, access.method)(url, data={}, content_type="application/json")
            else:
                response = client.post(url, data={})
        status = response.status_code
        assert status < 500, (name, role, status)
        if role in access.write:
            assert status not in {401, 403, 405} and not _to_login(response), (name, role, status)
            if api:
                assert status != 404, (name, role, status)
        else:
            refused = status in {401, 403, 404} or _to_login(response)
            if not api:
                # Only a step with no valid body (WITHOUT_A_VALID_BODY) may refuse through its form.
                refused = refused or status in {200, 302}
            assert refused, (name, role, status)
            assert _writes(queries) == [], (name, role, _writes(queries))


def _form_errors(response) -> dict:
    """The errors of every bound form the page came back with, to say why a valid body was refused."""
    if not response.context:
        return {}
    found = {}
    for context in response.context:
        for key, value in context.flatten().items() if hasattr(context, "flatten") else []:
            errors = getattr(value, "errors", None)
            if errors and hasattr(value, "is_bound") and value.is_bound:
                found[key] = errors
    return found


@pytest.mark.parametrize(("name", "role", "hidden", "shown"), SCOPED_LISTS, ids=lambda v: str(v))
def test_r_4_lists_show_only_the_readers_department(world, db, client, name, role, hidden, shown):
    client = _client(client, world, role)
    response = client.get(reverse(name), {"page_size": 500})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert getattr(world, hidden).pk not in ids
    if shown:
        assert getattr(world, shown).pk in ids


@pytest.mark.parametrize(("name", "role", "record"), SCOPED_RECORDS, ids=lambda v: str(v))
def test_r_4_another_departments_record_by_id_is_refused(world, db, client, name, role, record):
    client = _client(client, world, role)
    url = reverse(name, kwargs={"pk": getattr(world, record).pk})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url) if MATRIX[name].read is not None else client.post(url, content_type="application/json")
    assert response.status_code in {403, 404}, (name, role, response.status_code)
    assert _writes(queries) == []
