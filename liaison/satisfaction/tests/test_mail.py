"""R-5.6.3: survey e-mails go out after commit, with the private answer link, to a real SMTP server too."""

import datetime as dt
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.satisfaction import services
from liaison.satisfaction.models import SurveyForm
from liaison.satisfaction.tests.factories import customer_with_contact, sent_round

D = dt.date


class _Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback; the default mailer points at it."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    settings.LIAISON_PUBLIC_URL = "https://liaison.example.com"
    try:
        yield inbox
    finally:
        controller.stop()


def test_r_5_6_3_survey_mail_reaches_a_real_smtp_server(smtp_server, sales, django_capture_on_commit_callbacks):
    customer = customer_with_contact()
    contact = customer.contacts.get()
    with django_capture_on_commit_callbacks(execute=True):
        _round, (form,) = sent_round(meeting_date=D(2027, 2, 10), customers=[customer], actor=sales,
                                     send_on=clock.today())
    assert len(smtp_server.messages) == 1
    recipients, message = smtp_server.messages[0]
    assert recipients == [contact.email]
    assert message["To"] == contact.email
    assert form.number in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert f"https://liaison.example.com/satisfaction/answer/{form.answer_token}/" in body


def test_r_5_6_3_survey_mail_only_after_commit_locmem(db, sales, django_capture_on_commit_callbacks, settings):
    settings.LIAISON_PUBLIC_URL = "https://liaison.example.com/"
    customers = [customer_with_contact(), customer_with_contact()]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _round, forms = sent_round(meeting_date=D(2027, 2, 10), customers=customers, actor=sales,
                                   send_on=clock.today())
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f.contact.email for f in forms)
    by_number = {m.subject.split()[-1]: m for m in mail.outbox}
    for form in forms:
        assert f"https://liaison.example.com/satisfaction/answer/{form.answer_token}/" in by_number[form.number].body


def test_r_5_6_3_refused_send_sends_no_mail(db, sales, django_capture_on_commit_callbacks):
    reachable, unreachable = customer_with_contact(), customer_with_contact(email=False)
    unreachable.email = ""
    unreachable.save()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(LiaisonError) as refused:
        sent_round(meeting_date=D(2027, 2, 10), customers=[reachable, unreachable], actor=sales, send_on=clock.today())
    assert refused.value.code == "no_email"
    assert mail.outbox == [] and SurveyForm.objects.count() == 0


def test_r_5_6_3_chase_mail_is_a_reminder_with_the_same_link(db, sales, django_capture_on_commit_callbacks):
    customer = customer_with_contact()
    _round, (form,) = sent_round(meeting_date=D(2027, 2, 10), customers=[customer], actor=sales,
                                 send_on=D(2026, 11, 1))
    with clock.frozen(D(2026, 11, 16)), django_capture_on_commit_callbacks(execute=True):
        services.surveys_chase_due()
    (reminder,) = mail.outbox
    assert "Reminder" in reminder.subject or "提醒" in reminder.subject
    assert form.answer_token in reminder.body
