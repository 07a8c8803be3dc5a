"""R-5.7.1–3: retention per record type, its boundary, policies with history, holds, overview, API."""

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.orders.models import ReviewRound
from liaison.orders.tests.factories import OrderFactory
from liaison.records import registry, selectors, services
from liaison.records.models import DisposalLogEntry, DisposalRun, LegalHold, RetentionPolicy
from liaison.records.tests.factories import NOW, decided_round, years_ago

pytestmark = pytest.mark.django_db


def test_r_5_7_1_policies_seeded_two_years_sales_and_qc():
    policies = {policy.record_type: policy for policy in RetentionPolicy.objects.all()}
    assert set(policies) == {"F1", "F2", "F3", "F4", "F6", "F10"}
    assert all(policy.years == 2 and policy.months == 0 and policy.active for policy in policies.values())
    assert {code: registry.get(code).owner_kind for code in policies} == {
        "F1": "sales", "F2": "sales", "F3": "sales", "F4": "sales", "F6": "qc", "F10": "sales"
    }


def test_r_5_7_1_exactly_two_years_is_still_retained_a_second_more_is_due():
    policy = RetentionPolicy.objects.get(record_type="F2")
    on_the_day = decided_round(years_ago(2))
    past = decided_round(years_ago(2) - dt.timedelta(seconds=1))
    with clock.frozen(NOW):
        due = set(selectors.due_for_disposal(registry.get("F2"), policy).values_list("pk", flat=True))
    assert due == {past.pk}
    assert on_the_day.pk not in due


def test_r_5_7_1_open_round_is_never_due_and_its_deletion_says_so():
    with clock.frozen(years_ago(5)):

        open_round = OrderFactory().review_rounds.get()
    with clock.frozen(NOW):
        assert not selectors.due_for_disposal(registry.get("F2"), RetentionPolicy.objects.get(record_type="F2"))
        sign_off = open_round.sign_offs.first()
        with pytest.raises(LiaisonError) as refused, transaction.atomic():
            sign_off.delete()
    assert "part of a retained record" in str(refused.value)


def test_r_5_7_1_deleting_a_record_past_retention_outside_the_job_is_refused(archive_dir):
    old = decided_round(years_ago(3))
    for sign_off in old.sign_offs.all():
        with pytest.raises(LiaisonError), transaction.atomic():
            sign_off.delete()
    with clock.frozen(NOW), pytest.raises(LiaisonError), transaction.atomic():
        old.delete()
    assert ReviewRound.objects.filter(pk=old.pk).exists()


def test_r_5_7_1_legal_hold_blocks_disposal_until_released(archive_dir, user_with_role):
    admin = user_with_role(Role.ADMINISTRATOR)
    old = decided_round(years_ago(2, days=10))
    hold = services.hold_place(record_type="F2", object_id=old.pk, reason="Dispute with the customer", actor=admin)
    assert hold.number.endswith("-R1")
    with pytest.raises(LiaisonError):
        services.hold_place(record_type="F2", object_id=old.pk, reason="again", actor=admin)
    with clock.frozen(NOW):
        report = services.disposal_run()
    assert ReviewRound.objects.filter(pk=old.pk).exists()
    assert (report.run.found, report.run.held, report.run.disposed) == (1, 1, 0)
    services.hold_release(hold=hold, reason="Settled", actor=admin)
    with clock.frozen(NOW):
        services.disposal_run()
    assert not ReviewRound.objects.filter(pk=old.pk).exists()
    assert DisposalLogEntry.objects.filter(record_type="F2", object_id=old.pk).exists()


def test_r_5_7_1_only_roles_with_the_permission_place_holds(user_with_role):
    old = decided_round(years_ago(1))
    with pytest.raises(LiaisonError) as refused:
        services.hold_place(record_type="F2", object_id=old.pk, reason="x", actor=user_with_role(Role.SALES_STAFF))
    assert refused.value.forbidden and not LegalHold.objects.exists()


def test_r_5_7_1_policy_is_changed_by_an_administrator_with_a_reason_kept_in_history(user_with_role):
    admin = user_with_role(Role.ADMINISTRATOR)
    policy = RetentionPolicy.objects.get(record_type="F6")
    with pytest.raises(LiaisonError):
        services.policy_update(policy=policy, years=3, months=0, department=None, active=True, actor=admin, reason="")
    with pytest.raises(LiaisonError) as refused:
        services.policy_update(
            policy=policy, years=3, months=0, department=None, active=True,
            actor=user_with_role(Role.QC_HEAD), reason="longer",
        )
    assert refused.value.forbidden
    policy.refresh_from_db()
    assert policy.years == 2
    services.policy_update(
        policy=policy, years=3, months=6, department=None, active=True, actor=admin, reason="Customer contract"
    )
    policy.refresh_from_db()
    assert (policy.years, policy.months, policy.period_text) == (3, 6, "3 years 6 months")
    latest = policy.history.latest()
    assert (latest.history_user, latest.history_change_reason, latest.years) == (admin, "Customer contract", 3)


def test_r_5_7_1_admin_edits_a_policy_only_with_a_reason(client, user_with_role):
    admin = user_with_role(Role.ADMINISTRATOR)
    client.force_login(admin)
    policy = RetentionPolicy.objects.get(record_type="F1")
    url = reverse("admin:records_retentionpolicy_change", args=[policy.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {"department": "", "years": 5, "months": 0, "active": "on", "change_reason": ""}
    if "version" in page.context["adminform"].form.fields:
        data["version"] = page.context["adminform"].form["version"].value()
    refused = client.post(url, data)
    assert refused.status_code == 200
    policy.refresh_from_db()
    assert policy.years == 2
    data["change_reason"] = "Auditor asked for 5 years"
    assert client.post(url, data).status_code == 302
    policy.refresh_from_db()
    assert policy.years == 5 and policy.history.latest().history_change_reason == "Auditor asked for 5 years"


def test_r_5_7_1_the_disposal_log_is_never_deletable(archive_dir, client, user_with_role):
    decided_round(years_ago(3))
    with clock.frozen(NOW):
        services.disposal_run()
    entry = DisposalLogEntry.objects.get()
    with pytest.raises(LiaisonError), transaction.atomic():
        entry.delete()
    with pytest.raises(LiaisonError), transaction.atomic():
        DisposalLogEntry.objects.all().delete()
    with pytest.raises((LiaisonError, ProtectedError)), transaction.atomic():
        DisposalRun.objects.all().delete()
    admin = user_with_role(Role.ADMINISTRATOR, is_superuser=True)
    client.force_login(admin)
    assert client.post(reverse("admin:records_disposallogentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.delete(f"/api/v1/disposal-log/{entry.pk}/").status_code == 405
    assert DisposalLogEntry.objects.count() == 1 and DisposalRun.objects.count() == 1


def test_r_5_7_1_overview_counts_and_next_disposal(client, user_with_role):
    decided_round(years_ago(2, days=3))  # past retention
    soon = decided_round(years_ago(2, days=-2))  # retention ends in 2 days (this month)
    later = decided_round(years_ago(1))
    LegalHold.objects.create(record_type="F2", object_id=later.pk, reason="audit")
    with clock.frozen(NOW):
        rows = {row.record_type.code: row for row in selectors.overview()}
        f2 = rows["F2"]
        assert (f2.total, f2.past_retention, f2.in_retention, f2.on_hold) == (3, 1, 2, 1)
        assert f2.due_this_month == 2
        assert f2.next_disposal == years_ago(0, days=-2)
        assert soon.pk
        client.force_login(user_with_role(Role.QC_HEAD))
        page = client.get(reverse("records:overview"))
        assert page.status_code == 200
        html = page.content.decode()
        assert 'data-type="F2"' in html and reverse("admin:records_retentionpolicy_changelist") in html
        api = client.get("/api/v1/retention-overview/").json()
        assert {row["record_type"]: row["due_this_month"] for row in api}["F2"] == 2


def test_r_5_7_1_api_policies_read_and_administrator_update(api_client, user_with_role):
    policy = RetentionPolicy.objects.get(record_type="F4")
    api_client.force_authenticate(user_with_role(Role.SALES_HEAD))
    assert api_client.get("/api/v1/retention-policies/").status_code == 200
    assert api_client.patch(
        f"/api/v1/retention-policies/{policy.pk}/", {"years": 4, "reason": "x"}, format="json"
    ).status_code == 403
    api_client.force_authenticate(user_with_role(Role.ADMINISTRATOR))
    answer = api_client.patch(f"/api/v1/retention-policies/{policy.pk}/", {"years": 4, "reason": "ISO audit"}, format="json")
    assert answer.status_code == 200 and answer.json()["years"] == 4
    assert api_client.delete(f"/api/v1/retention-policies/{policy.pk}/").status_code in {403, 405}


def test_r_5_7_1_api_places_and_releases_a_hold(api_client, user_with_role):
    old = decided_round(years_ago(1))
    api_client.force_authenticate(user_with_role(Role.ADMINISTRATOR))
    placed = api_client.post("/api/v1/legal-holds/", {"record_type": "F2", "object_id": old.pk, "reason": "Dispute"})
    assert placed.status_code == 201 and placed.json()["active"]
    hold_id = placed.json()["id"]
    released = api_client.post(f"/api/v1/legal-holds/{hold_id}/release/", {"reason": "Settled"})
    assert released.status_code == 200 and not released.json()["active"]
    again = api_client.post(f"/api/v1/legal-holds/{hold_id}/release/", {"reason": "Settled"})
    assert again.status_code == 409


# --- one retention end: 29 February ---------------------------------------------------------------


def _at(*args) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(*args))


def test_r_5_7_1_a_record_closed_on_29_february_has_one_retention_end_in_the_log_the_guard_and_the_job(archive_dir):
    """Closed on 29 February 2024: kept to the end of 28 February 2026 (no 29th that year), disposed of after."""
    policy = RetentionPolicy.objects.get(record_type="F2")
    closed_on_leap_day = decided_round(_at(2024, 2, 29, 10, 0))
    end = _at(2026, 2, 28, 23, 59, 59, 999999)
    assert selectors.retention_end(policy, closed_on_leap_day.decided_at) == end

    # The last evening of 28 February: the guard says "kept until 28 February", and the job agrees.
    with clock.frozen(_at(2026, 2, 28, 23, 0)):
        with pytest.raises(LiaisonError) as refused, transaction.atomic():
            ReviewRound.objects.get(pk=closed_on_leap_day.pk).delete()
        assert "kept until" in str(refused.value) and "Feb. 28, 2026" in str(refused.value)
        assert not selectors.due_for_disposal(registry.get("F2"), policy).exists()
        assert services.disposal_run().run.disposed == 0
    # The first moment of 1 March: past retention for the guard and the job alike.
    with clock.frozen(_at(2026, 3, 1, 0, 0)):
        with pytest.raises(LiaisonError) as refused, transaction.atomic():
            ReviewRound.objects.get(pk=closed_on_leap_day.pk).delete()
        assert "past its retention" in str(refused.value)
        dry = services.disposal_run(dry_run=True)
        assert [item.retention_ended for item in dry.due] == [end]
        assert services.disposal_run().run.disposed == 1
    assert DisposalLogEntry.objects.get().retention_ended == end


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ((2024, 2, 29, 10, 0), 24, (2026, 2, 28, 23, 59, 59, 999999)),  # no 29 February: the end of the 28th
        ((2024, 2, 29, 10, 0), 48, (2028, 2, 29, 10, 0)),  # a leap year again: the same moment
        ((2024, 2, 28, 10, 0), 24, (2026, 2, 28, 10, 0)),
        ((2024, 3, 1, 0, 0), 24, (2026, 3, 1, 0, 0)),
        ((2025, 8, 31, 9, 30), 1, (2025, 9, 30, 23, 59, 59, 999999)),  # no 31 September
        ((2024, 11, 27, 10, 0), 24, (2026, 11, 27, 10, 0)),
    ],
)
def test_r_5_7_1_retention_end_rule(start, months, end):
    policy = RetentionPolicy(record_type="F2", years=months // 12, months=months % 12)
    assert selectors.retention_end(policy, _at(*start)) == _at(*end)


def test_r_5_7_1_the_job_query_and_the_retention_end_agree_at_every_moment():
    """``retention_start < cutoff(now)`` (the job's query) exactly when ``retention_end(start) < now``.

    Starts are drawn around ``now`` moved back the policy's months (month ends, 29 February,
    31st of a month) where the two could part.
    """
    import calendar

    from hypothesis import given, settings
    from hypothesis import strategies as st

    def moment(year, month, day, hour, minute, second=0, micro=0):
        return _at(year, month, min(day, calendar.monthrange(year, month)[1]), hour, minute, second, micro)

    days = st.sampled_from([1, 2, 27, 28, 29, 30, 31]) | st.integers(1, 31)
    times = st.tuples(st.integers(0, 23), st.sampled_from([0, 30, 59]), st.sampled_from([0, 59]),
                      st.sampled_from([0, 999999]))
    nows = st.builds(lambda y, m, d, t: moment(y, m, d, *t), st.integers(2025, 2030), st.integers(1, 12), days, times)

    @settings(max_examples=600, deadline=None)
    @given(now=nows, months=st.sampled_from([1, 12, 13, 24, 25, 36, 48]), shift=st.integers(-3, 3), day=days,
           time=times, same_day=st.booleans())
    def agree(now, months, shift, day, time, same_day):
        policy = RetentionPolicy(record_type="F2", years=months // 12, months=months % 12)
        back = (now.year * 12 + now.month - 1) - months
        year, month = divmod(back, 12)
        start = moment(year, month + 1, now.day if same_day else day, *time) + dt.timedelta(days=shift if not
                                                                                             same_day else 0)
        assert (start < selectors.cutoff(policy, now)) == (selectors.retention_end(policy, start) < now)

    agree()


# --- never below the procedure's 2 years, unless an administrator overrides it with a reason ------


@pytest.mark.parametrize("code", ["F1", "F2", "F3", "F4", "F6", "F10"])
def test_r_5_7_1_retention_cannot_be_set_below_the_procedures_two_years(code, user_with_role):
    admin = user_with_role(Role.ADMINISTRATOR)
    policy = RetentionPolicy.objects.get(record_type=code)
    rows = policy.history.count()
    for years, months in [(1, 11), (0, 6), (1, 0)]:
        with pytest.raises(LiaisonError) as refused:
            services.policy_update(
                policy=policy, years=years, months=months, department=None, active=True, actor=admin, reason="Shorter"
            )
        assert refused.value.code == "below_procedure_minimum" and refused.value.field == "years"
        assert "at least 2 years" in str(refused.value)
    policy.refresh_from_db()
    assert (policy.years, policy.months, policy.below_minimum, policy.history.count()) == (2, 0, False, rows)
    # Longer is allowed, and exactly the procedure's period.
    services.policy_update(policy=policy, years=2, months=6, department=None, active=True, actor=admin, reason="Longer")
    policy.refresh_from_db()
    assert (policy.years, policy.months) == (2, 6)


def test_r_5_7_1_shorter_only_by_an_administrators_logged_override_with_a_reason(user_with_role, settings):
    admin = user_with_role(Role.ADMINISTRATOR)
    policy = RetentionPolicy.objects.get(record_type="F6")
    with pytest.raises(LiaisonError):
        services.policy_update(
            policy=policy, years=1, months=0, department=None, active=True, actor=admin, reason="", below_minimum=True
        )
    with pytest.raises(LiaisonError) as refused:
        services.policy_update(
            policy=policy, years=1, months=0, department=None, active=True, actor=user_with_role(Role.QC_HEAD),
            reason="Shorter", below_minimum=True,
        )
    assert refused.value.forbidden
    policy.refresh_from_db()
    assert policy.years == 2
    services.policy_update(
        policy=policy, years=1, months=0, department=None, active=True, actor=admin,
        reason="Customer's data-protection contract", below_minimum=True,
    )
    policy.refresh_from_db()
    assert (policy.years, policy.below_minimum) == (1, True)
    latest = policy.history.latest()
    assert (latest.history_user, latest.years, latest.below_minimum) == (admin, 1, True)
    assert latest.history_change_reason == "Customer's data-protection contract"
    # Back to the procedure's period: the override is off by itself.
    services.policy_update(
        policy=policy, years=2, months=0, department=None, active=True, actor=admin, reason="Back", below_minimum=True
    )
    policy.refresh_from_db()
    assert (policy.years, policy.below_minimum) == (2, False)


def test_r_5_7_1_admin_page_refuses_a_shorter_period_without_the_override(client, user_with_role):
    admin = user_with_role(Role.ADMINISTRATOR)
    client.force_login(admin)
    policy = RetentionPolicy.objects.get(record_type="F10")
    url = reverse("admin:records_retentionpolicy_change", args=[policy.pk])
    rows = policy.history.count()
    page = client.get(url)
    data = {"department": "", "years": 1, "months": 0, "active": "on", "change_reason": "Shorter"}
    if "version" in page.context["adminform"].form.fields:
        data["version"] = page.context["adminform"].form["version"].value()
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "at least 2 years" in str(refused.context["adminform"].form.errors["years"])
    policy.refresh_from_db()
    assert (policy.years, policy.history.count()) == (2, rows)
    data["below_minimum"] = "on"
    assert client.post(url, data).status_code == 302
    policy.refresh_from_db()
    assert (policy.years, policy.below_minimum, policy.history.latest().history_change_reason) == (1, True, "Shorter")


def test_r_5_7_1_api_refuses_a_shorter_period_without_the_override(api_client, user_with_role):
    policy = RetentionPolicy.objects.get(record_type="F3")
    api_client.force_authenticate(user_with_role(Role.ADMINISTRATOR))
    url = f"/api/v1/retention-policies/{policy.pk}/"
    answer = api_client.patch(url, {"years": 1, "reason": "Shorter"}, format="json")
    assert answer.status_code == 400 and "at least 2 years" in answer.content.decode()
    # In the user's language.
    answer = api_client.patch(url, {"years": 1, "reason": "Shorter"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert answer.status_code == 400 and answer.json()["code"] == "below_procedure_minimum"
    assert "至少保存 2 年" in answer.json()["fields"]["years"][0]
    policy.refresh_from_db()
    assert policy.years == 2
    answer = api_client.patch(url, {"years": 1, "reason": "Shorter", "below_minimum": True}, format="json")
    assert answer.status_code == 200 and answer.json()["years"] == 1 and answer.json()["below_minimum"] is True
