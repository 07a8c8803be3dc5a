"""API of CAPA requests: list by role, read by id, issue, review, implement, verify (R-4)."""

import datetime as dt

import pytest
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from config import urls as project_urls
from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import (
    UserFactory,
    WorkshopFactory,
    department_member,
    frozen_today,
    qc_head,
    qc_inspector,
    workshop_lead,
)
from liaison.quality.capa import api as capa_api
from liaison.quality.capa.services import capa_implement
from liaison.quality.models import CapaRequest, CapaStep
from liaison.quality.states import CapaSource, CapaStatus, ComplaintKind
from liaison.quality.tests.factories import capa, investigated

# The same router lines quality/api_urls.py carries, ahead of the project's URLs.
router = SimpleRouter()
router.register("capa-requests", capa_api.CapaRequestViewSet, basename="capa-request")
urlpatterns = [path("api/v1/", include(router.urls)), *project_urls.urlpatterns]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

CAPAS = "/api/v1/capa-requests/"
TODAY = dt.date(2026, 4, 20)
ACTIONS = {
    "corrective_action": "修模",
    "preventive_action": "首件檢加測毛刺",
    "implementation": "4月18日完成",
}
R = Role
QC = {R.QC_INSPECTOR, R.QC_HEAD}
SEES_EVERY_CAPA = QC | {R.SALES_STAFF, R.SALES_ADMIN, R.SALES_HEAD, R.MANAGEMENT, R.ADMINISTRATOR}


today = frozen_today(TODAY)


@pytest.fixture
def workshops():
    return WorkshopFactory(name="一車間"), WorkshopFactory(name="二車間")


@pytest.fixture
def requests(workshops):
    one, two = workshops
    inspector = qc_inspector()  # QC issues; the QC head verifies
    with clock.frozen(dt.date(2026, 4, 1)):
        return {
            "mine": capa(
                source=investigated(at_fault=True),
                department=one,
                due_date=dt.date(2026, 4, 10),
                actor=inspector,
            ),
            "other": capa(department=two, due_date=dt.date(2026, 5, 10), actor=inspector),
        }


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def numbers(response) -> list[str]:
    return [row["number"] for row in response.json()["results"]]


def user_for(role, department):
    return UserFactory(roles=[role], department=department)


# --- reading ---------------------------------------------------------------------------


def test_r_3_4_a_workshop_lead_lists_only_its_departments_requests(api_client, workshops, requests):
    response = as_user(api_client, workshop_lead(workshops[0])).get(CAPAS)

    assert response.status_code == 200
    assert numbers(response) == [requests["mine"].number]
    row = response.json()["results"][0]
    assert row["is_overdue"] is True
    assert row["department_name"] == "一車間"
    assert row["source_kind"] == CapaSource.COMPLAINT
    assert row["source"] == f"quality.complaint:{requests['mine'].source_id}"
    assert [step["meaning"] for step in row["steps"]] == ["issued"]


def test_r_3_4_another_departments_request_by_id_is_not_found(api_client, workshops, requests):
    api = as_user(api_client, department_member(workshops[0]))
    other = requests["other"]

    assert api.get(f"{CAPAS}{other.pk}/").status_code == 404
    assert api.post(f"{CAPAS}{other.pk}/review/", {}).status_code == 404
    assert api.post(f"{CAPAS}{other.pk}/implement/", ACTIONS).status_code == 404
    assert CapaRequest.objects.get(pk=other.pk).status == CapaStatus.ISSUED
    assert CapaStep.objects.filter(capa=other).count() == 1


def test_r_4_a_request_by_id_carries_its_signed_steps(api_client, workshops, requests):
    response = as_user(api_client, department_member(workshops[0])).get(
        f"{CAPAS}{requests['mine'].pk}/"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == requests["mine"].number
    assert body["steps"][0]["meaning"] == "issued"
    assert body["steps"][0]["signed_by_name"] == "王小明"


def test_r_5_5_1_2_the_list_filters_overdue_status_and_department(api_client, workshops, requests):
    api = as_user(api_client, qc_head())

    assert numbers(api.get(CAPAS, {"overdue": "true"})) == [requests["mine"].number]
    assert numbers(api.get(CAPAS, {"overdue": "false"})) == [requests["other"].number]
    assert numbers(api.get(CAPAS, {"department": workshops[1].pk})) == [requests["other"].number]
    assert numbers(api.get(CAPAS, {"status": "closed"})) == []
    assert api.get(CAPAS, {"status": "nonsense"}).status_code == 400


def test_r_5_5_1_2_the_list_runs_a_fixed_number_of_queries(
    api_client, workshops, requests, django_assert_num_queries
):
    api = as_user(api_client, qc_head())
    for _ in range(5):
        capa(department=workshops[0])

    # The user's permissions (2, their roles read with them), the count, the page, the steps with signers.
    with django_assert_num_queries(5):
        response = api.get(CAPAS)
    assert len(response.json()["results"]) == 7


# --- per role --------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_r_4_who_reads_which_request_by_list_and_by_id(api_client, workshops, requests, role):
    user = user_for(role, workshops[0])
    api = as_user(api_client, user)

    listed = api.get(CAPAS)
    mine = api.get(f"{CAPAS}{requests['mine'].pk}/")
    other = api.get(f"{CAPAS}{requests['other'].pk}/")

    if role in SEES_EVERY_CAPA:
        assert (listed.status_code, mine.status_code, other.status_code) == (200, 200, 200)
        assert len(numbers(listed)) == 2
    elif role in {R.WORKSHOP_LEAD, R.RESPONSIBLE_MEMBER}:
        assert (listed.status_code, mine.status_code, other.status_code) == (200, 200, 404)
        assert numbers(listed) == [requests["mine"].number]
    else:
        assert (listed.status_code, mine.status_code, other.status_code) == (403, 403, 403)


@pytest.mark.parametrize("role", list(Role))
def test_r_3_3_only_qc_issues_through_the_api(api_client, workshops, role):
    api = as_user(api_client, user_for(role, workshops[0]))
    body = {
        "source": None,
        "department": workshops[0].pk,
        "problem": "毛刺",
        "effectiveness_criterion": "零投訴",
    }

    response = api.post(CAPAS, body, format="json")

    if role in QC:
        assert response.status_code == 201
        assert CapaRequest.objects.count() == 1
    else:
        assert response.status_code == 403
        assert not CapaRequest.objects.exists()


@pytest.mark.parametrize("role", list(Role))
def test_r_3_4_who_implements_the_departments_request(api_client, workshops, requests, role):
    target = requests["mine"]
    api = as_user(api_client, user_for(role, workshops[0]))

    response = api.post(f"{CAPAS}{target.pk}/implement/", ACTIONS)

    target.refresh_from_db()
    if role in {R.WORKSHOP_LEAD, R.RESPONSIBLE_MEMBER}:
        assert response.status_code == 200
        assert target.status == CapaStatus.IMPLEMENTED
    else:
        assert response.status_code == 403
        assert target.status == CapaStatus.ISSUED


@pytest.mark.parametrize("role", list(Role))
def test_r_3_3_only_qc_verifies_through_the_api(api_client, workshops, requests, role):
    target = requests["mine"]
    capa_implement(capa=target, actor=workshop_lead(workshops[0]), **ACTIONS)
    api = as_user(api_client, user_for(role, workshops[0]))

    response = api.post(f"{CAPAS}{target.pk}/verify-execution/", {})

    target.refresh_from_db()
    if role == R.QC_HEAD:  # the role CAPA_VERIFY_ROLES names by default
        assert response.status_code == 200
        assert target.status == CapaStatus.EXECUTION_VERIFIED
    else:
        assert response.status_code == 403
        assert target.status == CapaStatus.IMPLEMENTED


# --- issuing and the steps -------------------------------------------------------------


def test_r_5_5_1_2_qc_issues_for_a_return_given_as_app_label_model_id(api_client, workshops):
    source = investigated(at_fault=True, kind=ComplaintKind.RETURN)
    api = as_user(api_client, qc_head())

    response = api.post(
        CAPAS,
        {
            "source": f"quality.complaint:{source.pk}",
            "department": workshops[0].pk,
            "problem": "包裝破損導致生銹",
            "effectiveness_criterion": "下三批零破損",
            "due_date": "2026-05-15",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["number"] == "CAPA-2026-0001"
    assert (body["source_kind"], body["source"]) == ("return", f"quality.complaint:{source.pk}")
    assert (body["customer"], body["due_date"], body["effectiveness_check_date"]) == (
        source.customer.pk,
        "2026-05-15",
        "2026-07-19",  # 90 days after issue, which is more than 60 after the due date
    )
    assert [step["meaning"] for step in body["steps"]] == ["issued"]


@pytest.mark.parametrize(
    "source",
    ["complaint:1", "quality.complaint:abc", "quality.complaint:99999", "nothing.here:1", 12],
)
def test_r_5_5_1_2_a_source_not_understood_is_refused(api_client, workshops, source):
    api = as_user(api_client, qc_head())
    body = {
        "source": source,
        "department": workshops[0].pk,
        "problem": "x",
        "effectiveness_criterion": "y",
    }

    response = api.post(CAPAS, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "source" in response.json()["fields"]
    assert not CapaRequest.objects.exists()


def test_r_5_5_1_2_a_manual_request_without_a_criterion_is_refused(api_client, workshops):
    api = as_user(api_client, qc_head())
    body = {
        "source": None,
        "department": workshops[0].pk,
        "problem": "毛刺",
        "effectiveness_criterion": " ",
    }

    response = api.post(CAPAS, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "capa_criterion_required"
    assert list(response.json()["fields"]) == ["effectiveness_criterion"]
    assert not CapaRequest.objects.exists()


def test_r_5_5_1_2_verifying_a_request_not_implemented_is_a_conflict(api_client, requests):
    target = requests["mine"]

    response = as_user(api_client, qc_head()).post(f"{CAPAS}{target.pk}/verify-execution/", {})

    assert response.status_code == 409
    assert response.json()["code"] == "capa_not_implemented"
    assert CapaStep.objects.filter(capa=target).count() == 1


def test_r_5_5_1_2_the_whole_round_through_the_api(api_client, workshops, requests):
    target = requests["mine"]
    lead, inspector = workshop_lead(workshops[0]), qc_head()
    url = f"{CAPAS}{target.pk}"

    assert as_user(api_client, lead).post(f"{url}/review/", {"note": "收到"}).status_code == 200
    assert as_user(api_client, lead).post(f"{url}/implement/", ACTIONS).status_code == 200
    assert as_user(api_client, inspector).post(f"{url}/verify-execution/", {}).status_code == 200
    refused = as_user(api_client, inspector).post(
        f"{url}/verify-effectiveness/", {"effectiveness": "partly", "early_reason": "客戶再次投訴"}
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "capa_new_due_date_required")
    returned = as_user(api_client, inspector).post(
        f"{url}/verify-effectiveness/",
        {"effectiveness": "partly", "new_due_date": "2026-05-20", "early_reason": "客戶再次投訴"},
    )
    assert returned.status_code == 200
    assert (returned.json()["status"], returned.json()["due_date"]) == ("issued", "2026-05-20")
    assert as_user(api_client, lead).post(f"{url}/implement/", ACTIONS).status_code == 200
    assert as_user(api_client, inspector).post(f"{url}/verify-execution/", {}).status_code == 200
    closed = as_user(api_client, inspector).post(
        f"{url}/verify-effectiveness/", {"effectiveness": "effective", "early_reason": "客戶確認連續三批合格"}
    )

    assert closed.status_code == 200
    body = closed.json()
    assert (body["status"], body["effectiveness"]) == ("closed", "effective")
    assert [step["meaning"] for step in body["steps"]] == [
        "issued",
        "reviewed",
        "implemented",
        "execution_verified",
        "effectiveness_verified",
        "returned",
        "implemented",
        "execution_verified",
        "effectiveness_verified",
    ]
