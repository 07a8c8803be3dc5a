"""Acceptance story 4 in the browser: a complaint with a CAPA request, and one without.

On Monday 2026-11-02 瑞豐機電 phones in two complaints. The sales clerk registers both on
the register page; the Sales head (業務部負責人) finds them in the inbox, confirms them and
passes them to QC (R-5.5.1.1). The QC head (質檢部負責人) investigates the first (rusty M6×20
bolts): the cause is the method (6M), the company is at fault, and the QC head issues a
CAPA request (F7) to workshop 1 from the complaint page. The workshop lead finds it in the
inbox, signs receipt and records the corrective and preventive actions as implemented; the
QC head verifies the execution, then, before the check date and saying why, the
effectiveness (effective: the request closes), records the result and feeds it back to the
customer by phone; the complaint closes. The second complaint (stripped threads from the
customer's own air wrench) is not the company's fault: a preventive request is offered but
not needed; it closes with a result and feedback, without a CAPA request.

Refusals on the way, each seen in the browser with its message and nothing changed: an
investigation without a why; the workshop lead sending QC's verification; an effectiveness
judged before its check date without a reason; closing the complaint before its result is
fed back. The clerk is not offered the confirmation, nor the QC inspector the investigation:
the procedure gives them to the heads.

The live server runs in this process, so ``clock.frozen(..., all_threads=True)`` dates
every step for the pages too. The clerks read the pages in Traditional Chinese.
"""

import datetime as dt

import pytest
from helpers import (
    complaint_status,
    desks_fixture,  # noqa: F401 (the ``desks`` fixture)
    errors_on,
    make_staff,
    open_complaint,
    post_without_the_page,
    press,
    register_complaint,
    story_1_customer,
    story_1_products,
    timeline_events,
)

from liaison.communications.models import CommunicationRecord
from liaison.communications.states import Direction, Topic
from liaison.core import clock
from liaison.customers.states import TimelineEvent
from liaison.quality.models import CapaRequest, Complaint
from liaison.quality.states import (
    CapaStatus,
    CapaStepMeaning,
    CauseCategory,
    ComplaintStatus,
    Effectiveness,
)

pytestmark = pytest.mark.browser


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of November 2026, local time (Asia/Taipei)."""
    return dt.datetime(2026, 11, day, hour, minute)


RUST = "M6×20 螺栓表面有銹斑，約 200 件，客戶來電投訴"
THREADS = "M6 螺母裝配時滑牙，客戶懷疑螺紋不良"


@pytest.fixture
def setting(db):
    with clock.frozen(dt.date(2026, 10, 1), all_threads=True):  # long before the complaints
        staff = make_staff()
        bolt, nut = story_1_products()
        return staff, story_1_customer(), bolt, nut


def investigate(page, *, cause: str, whys: list[str], root_cause: str, containment: str, at_fault: bool):
    form = page.locator("#complaint-investigate")
    form.locator("select[name=investigate-cause_category]").select_option(cause)
    for index, why in enumerate(whys, start=1):
        form.locator(f"input[name=investigate-why_{index}]").fill(why)
    form.locator("textarea[name=investigate-root_cause]").fill(root_cause)
    form.locator("textarea[name=investigate-containment]").fill(containment)
    form.locator(f"input[name=investigate-company_at_fault][value={'yes' if at_fault else 'no'}]").check()
    press(page, "complaint-investigate")


def result_and_feedback(page, *, result: str, contact: str, summary: str):
    page.locator("#complaint-result textarea[name=result-result]").fill(result)
    press(page, "complaint-result")
    assert complaint_status(page) == ComplaintStatus.RESULT_RECORDED
    form = page.locator("#complaint-feedback")
    form.locator("select[name=feedback-channel]").select_option("phone")
    form.locator("input[name=feedback-contact]").fill(contact)
    form.locator("textarea[name=feedback-summary]").fill(summary)
    press(page, "complaint-feedback")


def signatures(page) -> str:
    return " ".join(page.locator("#complaint-signatures").inner_text().split())


def capa_steps(page) -> list[tuple[str, str, str]]:
    """(meaning, signed at, signed by) of each row of the CAPA page's signed steps."""
    rows = page.locator("#capa-steps tbody tr[data-meaning]")
    return [
        (
            rows.nth(i).get_attribute("data-meaning"),
            rows.nth(i).locator("td").nth(0).inner_text(),
            rows.nth(i).locator("td").nth(2).inner_text(),
        )
        for i in range(rows.count())
    ]


def inbox_kinds(page) -> list[str]:
    page.locator('a[href="/inbox/"]').first.click()  # "My inbox" in the sidebar
    page.wait_for_load_state()
    return page.locator("#inbox li[data-kind]").evaluate_all("es => es.map(e => e.dataset.kind)")


def test_story_4_complaint_at_fault_with_capa_and_one_without(desks, setting, screenshot):
    staff, customer, bolt, nut = setting
    # The QC head takes the steps the procedure gives QC here; the QC inspector only looks in.
    clerk, head, qc = desks(staff.clerk), desks(staff.sales_head), desks(staff.qc_head)

    # Monday morning: the customer phones twice; the clerk registers both.
    with clock.frozen(at(2, 10, 15), all_threads=True):
        rusty = register_complaint(
            clerk, customer, content=RUST, product=bolt, lot="L2610-03", remedy="退換並說明原因"
        )
        assert complaint_status(clerk) == ComplaintStatus.REGISTERED
        assert clerk.locator("#acknowledge-due").inner_text() == "2026-11-03 10:15"
        # Confirming and passing it to QC is the Sales head's: the clerk is not offered it.
        assert clerk.locator("#complaint-acknowledge").count() == 0
        screenshot(clerk, "story4-01-registered-zh-hant")
    with clock.frozen(at(2, 10, 40), all_threads=True):
        stripped = register_complaint(clerk, customer, content=THREADS, product=nut)
    assert rusty.number == f"CMP-{rusty.registered_at.year}-0001" and stripped.number.endswith("-0002")
    assert (rusty.customer, rusty.product, rusty.lot, rusty.channel) == (customer, bolt, "L2610-03", "phone")

    # Before noon: the Sales head finds both in the inbox, confirms them and passes them to QC.
    with clock.frozen(at(2, 11, 5), all_threads=True):
        assert inbox_kinds(head).count("complaint_acknowledge") == 2
        for record in (rusty, stripped):
            if record != rusty:
                inbox_kinds(head)  # back to the inbox for the next one
            head.locator("#inbox li[data-kind=complaint_acknowledge] a", has_text=record.number).click()
            head.wait_for_load_state()
            assert head.locator("#complaint-page").get_attribute("data-number") == record.number
            press(head, "complaint-acknowledge")
            assert complaint_status(head) == ComplaintStatus.ACKNOWLEDGED
            if record == rusty:
                assert "2026-11-02 10:15" in signatures(head) and "陳美玲" in signatures(head)
                assert "2026-11-02 11:05" in signatures(head) and "何嘉慧" in signatures(head)
        assert "complaint_acknowledge" not in inbox_kinds(head)

    # Tuesday: the QC head finds both in the inbox and investigates the rusty bolts.
    with clock.frozen(at(3, 9, 30), all_threads=True):
        # Deciding the finding is the QC head's, not the inspector's.
        assert "complaint_investigate" not in inbox_kinds(desks(staff.qc))
        assert inbox_kinds(qc).count("complaint_investigate") == 2
        qc.locator("#inbox li[data-kind=complaint_investigate] a", has_text=rusty.number).click()
        qc.wait_for_load_state()
        assert qc.locator("#complaint-page").get_attribute("data-number") == rusty.number

        # Refused: an investigation without a single why. Nothing is recorded.
        form = qc.locator("#complaint-investigate")
        form.locator("select[name=investigate-cause_category]").select_option(CauseCategory.METHOD)
        form.locator("textarea[name=investigate-root_cause]").fill("烘乾時間不足")
        form.locator("input[name=investigate-company_at_fault][value=yes]").check()
        with qc.expect_navigation():
            form.locator("[type=submit]").click()
        assert qc.url.endswith(f"/quality/{rusty.pk}/investigate/")
        # The banner above the page and the error beside the first why.
        assert len(errors_on(qc)) == 2, errors_on(qc)
        assert form.locator(".text-red-600 li").count() == 1
        # What was typed is still there to finish.
        assert form.locator("textarea[name=investigate-root_cause]").input_value() == "烘乾時間不足"
        screenshot(qc, "story4-02-investigation-refused-zh-hant")
        rusty.refresh_from_db()
        assert rusty.status == ComplaintStatus.ACKNOWLEDGED and rusty.investigated_at is None

        investigate(
            qc,
            cause=CauseCategory.METHOD,
            whys=["電鍍後表面殘留水分", "烘乾時間只有 20 分鐘", "作業指導書未規定烘乾時間"],
            root_cause="作業指導書未規定電鍍後的烘乾時間",
            containment="在庫 L2610-03 全部隔離複檢",
            at_fault=True,
        )
        assert complaint_status(qc) == ComplaintStatus.INVESTIGATED
        assert qc.locator("#why-chain li").count() == 3
        # The company is at fault: no result before a CAPA request; its form is open.
        assert qc.locator("#complaint-result").count() == 0
        assert qc.locator("#waiting-for-capa").is_visible()

        capa_form = qc.locator("#complaint-capa")
        assert capa_form.is_visible()
        capa_form.locator("select[name=capa-department]").select_option(str(staff.departments["workshop-1"].pk))
        assert rusty.number in capa_form.locator("textarea[name=capa-problem]").input_value()
        capa_form.locator("textarea[name=capa-effectiveness_criterion]").fill("返工後抽檢 5 批，無銹斑")
        press(qc, "complaint-capa")
        capa = CapaRequest.objects.get()
        item = qc.locator(f"#capas li[data-capa='{capa.number}']")
        assert item.get_attribute("data-status") == CapaStatus.ISSUED
        assert qc.locator("#waiting-for-capa").get_by_text(capa.number).is_visible()
        screenshot(qc, "story4-03-capa-issued-zh-hant")
    assert (capa.department, capa.source, capa.customer) == (staff.departments["workshop-1"], rusty, customer)

    # Wednesday: the second complaint. The customer's own air wrench stripped the threads: not at fault,
    # so it closes with a result and feedback, without a CAPA request.
    with clock.frozen(at(4, 15, 0), all_threads=True):
        open_complaint(qc, stripped)
        investigate(
            qc,
            cause=CauseCategory.MAN,
            whys=["客戶裝配線改用氣動扳手", "扭力設定超過 M6 螺母規定值"],
            root_cause="客戶端扭力設定過大；抽驗同批螺母螺紋合格",
            containment="留樣複檢，螺紋通止規通過",
            at_fault=False,
        )
        assert qc.locator("#company-at-fault").is_visible()
        # Not at fault: only a preventive request is offered, and the QC head sees no need for one.
        assert qc.locator("#complaint-capa").get_attribute("data-kind") == "preventive"
        assert qc.locator("#capas li[data-capa]").count() == 0
        result_and_feedback(
            qc,
            result="非我方責任：扭力設定過大；提供 M6 螺母建議扭力值",
            contact="王經理（品保）",
            summary="說明檢驗結果與建議扭力，客戶同意調整",
        )
        assert complaint_status(qc) == ComplaintStatus.CLOSED
        screenshot(qc, "story4-04-not-at-fault-closed-zh-hant")
    stripped.refresh_from_db()
    assert (stripped.status, stripped.company_at_fault) == (ComplaintStatus.CLOSED, False)
    assert not CapaRequest.objects.filter(source_id=stripped.pk).exists() and CapaRequest.objects.count() == 1

    # Friday: the workshop lead finds the request in the inbox and records what was done.
    lead = desks(staff.workshop_lead)
    with clock.frozen(at(6, 14, 0), all_threads=True):
        assert "capa_implement" in inbox_kinds(lead)
        lead.locator("#inbox li[data-kind=capa_implement] a", has_text=capa.number).click()
        lead.wait_for_load_state()
        assert lead.locator("#capa-page").get_attribute("data-number") == capa.number
        # Nothing of QC's to press here.
        assert lead.locator("#capa-verify-execution, #capa-verify-effectiveness").count() == 0
        lead.locator("#capa-review textarea[name=review-note]").fill("已安排返工")
        press(lead, "capa-review")
        implement = lead.locator("#capa-implement")
        implement.locator("textarea[name=implement-corrective_action]").fill("L2610-03 在庫品全部返工烘乾")
        implement.locator("textarea[name=implement-preventive_action]").fill(
            "烘乾時間由 20 分鐘改為 40 分鐘，寫入作業指導書 B 版"
        )
        implement.locator("textarea[name=implement-implementation]").fill("11 月 5 日完成返工；作業指導書 B 版 11 月 6 日發行")
        press(lead, "capa-implement")
        assert lead.locator("#capa-page").get_attribute("data-status") == CapaStatus.IMPLEMENTED
        screenshot(lead, "story4-05-capa-implemented-zh-hant")

        # Refused: the workshop lead sends QC's verification (a form the page does not offer).
        steps_before = capa.steps.count()
        response = post_without_the_page(
            lead, f"/quality/capa/{capa.pk}/verify-execution/", {"verify_execution-note": "自己驗證"}
        )
        assert response.status == 403
        assert errors_on(lead), "the refusal says nothing"
        screenshot(lead, "story4-06-workshop-may-not-verify-zh-hant")
        capa.refresh_from_db()
        assert capa.status == CapaStatus.IMPLEMENTED and capa.steps.count() == steps_before

    # The next Monday the QC head verifies the execution; on the 13th, long before the check date
    # (90 days after issue), the effectiveness: judging it early needs a reason; effective, closed.
    with clock.frozen(at(9, 11, 0), all_threads=True):
        assert "capa_verify" in inbox_kinds(qc)
        qc.locator("#inbox li[data-kind=capa_verify] a", has_text=capa.number).click()
        qc.wait_for_load_state()
        qc.locator("#capa-verify-execution textarea[name=verify_execution-note]").fill("抽查烘乾記錄，齊全")
        press(qc, "capa-verify-execution")
        assert qc.locator("#capa-page").get_attribute("data-status") == CapaStatus.EXECUTION_VERIFIED
    with clock.frozen(at(13, 16, 0), all_threads=True):
        qc.goto(f"/quality/capa/{capa.pk}/")
        check_date = capa.effectiveness_check_date.isoformat()
        assert check_date in qc.locator("#capa-early-warning").inner_text()
        verdict = qc.locator("#capa-verify-effectiveness")
        verdict.locator(f"input[name=verify_effectiveness-effectiveness][value={Effectiveness.EFFECTIVE}]").check()
        verdict.locator("textarea[name=verify_effectiveness-note]").fill("抽檢 5 批均無銹斑")
        # Refused: judged before the check date without saying why. Nothing is recorded.
        with qc.expect_navigation():
            verdict.locator("[type=submit]").first.click()
        assert qc.url.endswith(f"/quality/capa/{capa.pk}/verify-effectiveness/")
        assert any(check_date in error for error in errors_on(qc)), errors_on(qc)
        screenshot(qc, "story4-07a-early-check-without-reason-refused-zh-hant")
        capa.refresh_from_db()
        assert capa.status == CapaStatus.EXECUTION_VERIFIED and capa.effectiveness == ""
        verdict.locator(f"input[name=verify_effectiveness-effectiveness][value={Effectiveness.EFFECTIVE}]").check()
        verdict.locator("textarea[name=verify_effectiveness-early_reason]").fill(
            "返工品已全部出貨，客戶 5 批來料檢驗均合格，無需等到 90 天"
        )
        press(qc, "capa-verify-effectiveness")
        assert qc.locator("#capa-page").get_attribute("data-status") == CapaStatus.CLOSED
        assert "無需等到 90 天" in qc.locator("#capa-checked-early").inner_text()
        assert capa_steps(qc) == [
            (CapaStepMeaning.ISSUED, "2026-11-03 09:30", "李建國"),
            (CapaStepMeaning.REVIEWED, "2026-11-06 14:00", "張海波"),
            (CapaStepMeaning.IMPLEMENTED, "2026-11-06 14:00", "張海波"),
            (CapaStepMeaning.EXECUTION_VERIFIED, "2026-11-09 11:00", "李建國"),
            (CapaStepMeaning.EFFECTIVENESS_VERIFIED, "2026-11-13 16:00", "李建國"),
        ]
        screenshot(qc, "story4-07-capa-closed-zh-hant")

        # Back on the complaint: the result is recorded; closing before the feedback is refused.
        qc.locator("#capa-source").click()
        qc.wait_for_load_state()
        assert qc.locator(f"#capas li[data-capa='{capa.number}']").get_attribute("data-status") == CapaStatus.CLOSED
        qc.locator("#complaint-result textarea[name=result-result]").fill(
            "返工品已重新出貨；烘乾時間寫入作業指導書 B 版"
        )
        press(qc, "complaint-result")
        assert complaint_status(qc) == ComplaintStatus.RESULT_RECORDED
        assert qc.locator("#complaint-close").count() == 0  # closing is not offered: feeding back closes
        response = post_without_the_page(qc, f"/quality/{rusty.pk}/close/")
        assert response.status == 200 and qc.url.endswith(f"/quality/{rusty.pk}/close/")
        assert errors_on(qc), "the refusal says nothing"
        screenshot(qc, "story4-08-close-before-feedback-refused-zh-hant")
        rusty.refresh_from_db()
        assert rusty.status == ComplaintStatus.RESULT_RECORDED and rusty.closed_at is None

    # Monday 16th: the QC head phones the customer's buyer with the result; the complaint closes.
    with clock.frozen(at(16, 10, 0), all_threads=True):
        open_complaint(qc, rusty)
        form = qc.locator("#complaint-feedback")
        form.locator("select[name=feedback-channel]").select_option("phone")
        form.locator("input[name=feedback-contact]").fill("王經理（品保）")
        form.locator("textarea[name=feedback-summary]").fill("說明原因與改善措施，客戶接受")
        press(qc, "complaint-feedback")
        assert complaint_status(qc) == ComplaintStatus.CLOSED
        signed = signatures(qc)
        for line in [
            "2026-11-02 10:15",  # registered
            "2026-11-02 11:05",  # confirmed by the Sales head and passed to QC
            "2026-11-03 09:30",  # investigated
            "2026-11-13 16:00",  # result recorded
            "2026-11-16 10:00",  # fed back and closed
        ]:
            assert line in signed, signed
        assert signed.count("李建國") == 3 and signed.count("陳美玲") == 1 and signed.count("何嘉慧") == 1
        assert qc.locator("#feedback-summary").inner_text() == "王經理（品保）: 說明原因與改善措施，客戶接受"
        qc.evaluate("window.scrollTo(0, 0)")
        screenshot(qc, "story4-09-complaint-closed-zh-hant")
    rusty.refresh_from_db()
    assert rusty.status == ComplaintStatus.CLOSED
    assert (rusty.cause_category, rusty.company_at_fault) == (CauseCategory.METHOD, True)
    assert rusty.why_chain == ["電鍍後表面殘留水分", "烘乾時間只有 20 分鐘", "作業指導書未規定烘乾時間"]
    assert (rusty.created_by, rusty.acknowledged_by) == (staff.clerk, staff.sales_head)
    assert (rusty.investigated_by, rusty.result_recorded_by, rusty.feedback_by) == (
        staff.qc_head,
        staff.qc_head,
        staff.qc_head,
    )
    capa.refresh_from_db()
    assert (capa.status, capa.effectiveness) == (CapaStatus.CLOSED, Effectiveness.EFFECTIVE)
    assert capa.checked_early and "無需等到 90 天" in capa.early_check_reason
    assert capa.corrective_action == "L2610-03 在庫品全部返工烘乾"

    feedback = CommunicationRecord.objects.filter(
        customer=customer, topic=Topic.COMPLAINT_FEEDBACK, direction=Direction.TO_CUSTOMER
    ).order_by("occurred_at")
    assert [record.summary.split(":")[0] for record in feedback] == [stripped.number, rusty.number]
    assert set(Complaint.objects.values_list("status", flat=True)) == {ComplaintStatus.CLOSED}

    # All of it on the customer's timeline, in the order it happened.
    clerk.goto(customer.get_absolute_url())
    events = [e for e in timeline_events(clerk) if e.startswith(("capa_", "complaint_"))]
    assert events == [
        TimelineEvent.COMPLAINT_REGISTERED,  # 11-02 10:15, the rusty bolts
        TimelineEvent.COMPLAINT_REGISTERED,  # 11-02 10:40, the stripped threads
        TimelineEvent.COMPLAINT_ACKNOWLEDGED,  # 11-02 11:05, both, by the Sales head
        TimelineEvent.COMPLAINT_ACKNOWLEDGED,
        TimelineEvent.COMPLAINT_INVESTIGATED,  # 11-03
        TimelineEvent.CAPA_ISSUED,
        TimelineEvent.COMPLAINT_INVESTIGATED,  # 11-04, not at fault
        TimelineEvent.COMPLAINT_RESULT_FED_BACK,
        TimelineEvent.COMPLAINT_CLOSED,
        TimelineEvent.CAPA_CLOSED,  # 11-13
        TimelineEvent.COMPLAINT_RESULT_FED_BACK,  # 11-16
        TimelineEvent.COMPLAINT_CLOSED,
    ]
    screenshot(clerk, "story4-10-customer-timeline-zh-hant")

    # The QC head's dashboard: nothing open, both causes on the Pareto chart.
    with clock.frozen(at(16, 10, 5), all_threads=True):
        qc.goto("/admin/")
        assert qc.locator("#cause-pareto").get_attribute("data-causes") == "man:1,method:1"
        screenshot(qc, "story4-11-dashboard-zh-hant")

    for user in (staff.clerk, staff.sales_head, staff.qc, staff.qc_head, staff.workshop_lead):
        assert desks(user).js_errors == [], user.username
