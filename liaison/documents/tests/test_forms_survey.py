"""F10, the customer satisfaction survey form, printed: as sent and as returned, in each language; who may print.

The forms are sent and returned through the satisfaction services with the clock moved.
Set ``LIAISON_KEEP_PDF=<dir>`` to keep the PDFs for looking at them.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, sales
from liaison.documents import selectors
from liaison.documents.printouts import surveys
from liaison.satisfaction import services
from liaison.satisfaction.tests.factories import customer_with_contact, scores, sent_round

pytestmark = pytest.mark.django_db
D = dt.date
CUSTOMER = "深圳市華豐五金製品有限公司"
LABELS = {
    "zh-hant": ["產品質量", "交貨期", "價格", "服務", "溝通"],
    "zh-hans": ["产品质量", "交货期", "价格", "服务", "沟通"],
    "en": ["Product quality", "Delivery", "Price", "Service", "Communication"],
}


@pytest.fixture
def survey():
    clerk = sales()
    customers = [customer_with_contact(registered_name=CUSTOMER), customer_with_contact(), customer_with_contact()]
    with clock.frozen(D(2026, 9, 1)):
        _round, (sent, returned, late) = sent_round(meeting_date=D(2026, 12, 15), customers=customers, actor=clerk,
                                                    channel="fax")
    with clock.frozen(D(2026, 11, 2)):
        services.form_enter(form=returned, scores=scores(4, 2, 3, 5, 4), comments="交期經常延誤，請改善。",
                            comment_is_complaint=True, actor=clerk)
    with clock.frozen(D(2026, 12, 16)):
        services.form_enter(form=late, scores=scores(3, 3, 3, 3, 3), actor=clerk)
    return sent, returned, late


def _keep(content: bytes, name: str) -> None:
    folder = os.environ.get("LIAISON_KEEP_PDF")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(content)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans", "en"])
def test_r_5_6_3_f10_as_sent_in_each_language(survey, pdf_text, language):
    sent, _returned, _late = survey
    content = surveys.render_f10(selectors.form_for_f10(pk=sent.pk), language=language)
    _keep(content, f"f10-sent-{language}.pdf")
    text = pdf_text(content)
    flat = _flat(text)
    assert sent.number in text and "F10" in text
    assert all(label.replace(" ", "") in flat for label in LABELS[language])
    assert "2026-12-15" in text  # return by: the last valid day
    assert sent.answer_token in flat  # the private answer link, as text
    assert text.count("□") == 25 and "■" not in text
    with translation.override(language):  # the title as the catalogue words it (客戶滿意度調查表 once translated)
        assert _flat(gettext("Customer satisfaction survey form")) in flat


def test_r_5_6_4_f10_as_returned_shows_the_scores(survey, pdf_text):
    _sent, returned, _late = survey
    content = surveys.render_f10(selectors.form_for_f10(pk=returned.pk), language="zh-hant")
    _keep(content, "f10-returned-zh-hant.pdf")
    text = pdf_text(content)
    assert text.count("■") == 5 and text.count("□") == 20
    assert "交期經常延誤" in text and "2026-11-02" in text
    assert returned.answer_token not in _flat(text)  # answered: the link is not printed any more
    # The ticked box of each row sits in the column of its score: 4, 2, 3, 5, 4.
    rows = [line for line in text.splitlines() if "■" in line]
    assert [re.sub(r"[^□■]", "", row).index("■") + 1 for row in rows] == [4, 2, 3, 5, 4]


def test_r_5_6_3_f10_returned_late_prints_void(survey, pdf_text):
    _sent, _returned, late = survey
    content = surveys.render_f10(selectors.form_for_f10(pk=late.pk), language="en")
    _keep(content, "f10-late-en.pdf")
    text = pdf_text(content)
    assert "VOID" in text and "2026-12-16" in text


def test_f10_route_for_readers_of_survey_forms(client, survey):
    sent, _returned, _late = survey
    url = reverse("documents:f10", args=[sent.pk])
    client.force_login(UserFactory(roles=[Role.MANAGEMENT]))
    response = client.get(url + "?lang=en")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(UserFactory(roles=[Role.WORKSHOP_LEAD]))
    assert client.get(url).status_code == 403
