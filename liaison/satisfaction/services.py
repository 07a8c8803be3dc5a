"""Writes of the satisfaction app: questionnaires, survey rounds, F10 forms, chasing, dissatisfaction.

The deadlines of R-5.6.3 are fixed on each form when it is sent (``chase_due_on``,
``valid_until``); the scheduled job ``surveys_chase_due`` chases on the day, and a
form's state is computed from its dates, so nothing depends on the job having run.

A form counts in the statistics when it is returned on or before ``valid_until``
(the day SURVEY_VALID_MONTHS calendar months after the day it was sent, clamped to
the month's end): returned on that last day it counts, one day later it is void.

Transactions: every step a page, the API or the demo data takes is a durable transaction
of its own. The daily job's ``surveys_chase_due`` and ``rounds_close_finished`` (``tasks.py``,
run outside any transaction) take one short durable transaction per form or round: what a
run has done stays done if it stops halfway, and two runs never chase a form twice.
"""

import datetime as dt
import logging
import os
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext

from liaison.communications.services import exchange_record
from liaison.communications.states import CommunicationChannel, Direction, Topic
from liaison.core import clock, procedure
from liaison.core.errors import LiaisonError, refuse
from liaison.core.models import Department, User
from liaison.core.roles import require
from liaison.core.services import number_next, sign_history, transition_apply
from liaison.core.text import stripped
from liaison.customers.models import Contact, Customer
from liaison.customers.services import timeline_record
from liaison.customers.states import TimelineEvent
from liaison.quality.capa.services import capa_issue
from liaison.satisfaction.dates import add_months
from liaison.satisfaction.errors import ACTIONS, MESSAGES, Code
from liaison.satisfaction.models import (
    Criterion,
    QuestionnaireTemplate,
    SurveyForm,
    SurveyRound,
    SurveyScore,
    review_meetings,
)
from liaison.satisfaction.states import (
    FORM_COUNTED,
    ROUND_SENDABLE,
    ROUND_TRANSITIONS,
    SCORE_MAX,
    SCORE_MIN,
    ChaseChannel,
    FormState,
    RoundStatus,
    SurveyChannel,
    SurveySource,
)

logger = logging.getLogger(__name__)

ROUND_TYPE = "SR"
FORM_TYPE = "CSS"  # 客戶滿意度調查表, F10
# The customer master data has no language yet: forms go out in Traditional Chinese.
DEFAULT_FORM_LANGUAGE = "zh-hant"

# The F5 channel a survey step used.
F5_CHANNEL = {
    SurveyChannel.EMAIL: CommunicationChannel.EMAIL,
    SurveyChannel.FAX: CommunicationChannel.FAX,
    SurveyChannel.POST: CommunicationChannel.LETTER,
    SurveyChannel.IN_PERSON: CommunicationChannel.VISIT,
    ChaseChannel.PHONE: CommunicationChannel.PHONE,
}


# --- helpers -------------------------------------------------------------------------------


def _refuse(code: Code, **kwargs) -> LiaisonError:
    return refuse(MESSAGES, code, **kwargs)



def _date(value: dt.date) -> str:
    return value.isoformat()


def public_url(path: str) -> str:
    """An absolute address for a link sent to a customer (``LIAISON_PUBLIC_URL``)."""
    base = getattr(settings, "LIAISON_PUBLIC_URL", "") or os.environ.get("LIAISON_PUBLIC_URL", "")
    return (base or "http://localhost:8000").rstrip("/") + path


def _form_state_label(form: SurveyForm) -> str:
    return str(FormState(form.state()).label).lower()


def _locked_form(form: SurveyForm) -> SurveyForm:
    return SurveyForm.objects.select_for_update(of=("self",)).select_related("customer", "template").get(pk=form.pk)


# --- questionnaires ------------------------------------------------------------------------


def _criterion_rows(criteria: Iterable[Mapping]) -> list[dict]:
    rows, codes = [], set()
    for position, raw in enumerate(criteria, start=1):
        code = slugify(stripped(raw.get("code")))
        labels = {name: stripped(raw.get(name)) for name in ("label_zh_hant", "label_zh_hans", "label_en")}
        try:
            weight = Decimal(str(raw.get("weight")))
        except (InvalidOperation, ValueError):
            weight = None
        if not code or not all(labels.values()) or weight is None or not (0 <= weight <= 1):
            raise _refuse(Code.TEMPLATE_CRITERION_INVALID, field="criteria", position=position)
        if code in codes:
            raise _refuse(Code.TEMPLATE_CODE_DUPLICATE, field="criteria", code=code)
        codes.add(code)
        rows.append({"code": code, **labels, "weight": weight, "order": int(raw.get("order") or position)})
    if not rows:
        raise _refuse(Code.TEMPLATE_CRITERIA_REQUIRED, field="criteria")
    total = sum(row["weight"] for row in rows)
    if total != 1:
        raise _refuse(Code.TEMPLATE_WEIGHTS_NOT_ONE, field="criteria", total=f"{total.normalize()}")
    return rows


@transaction.atomic(durable=True)
def template_save(
    *, template: QuestionnaireTemplate, actor: User, criteria: Iterable[Mapping] | None = None
) -> QuestionnaireTemplate:
    """Create or change a questionnaire; ``criteria`` (dicts) replaces its questions.

    Each criterion: ``code``, ``label_zh_hant``, ``label_zh_hans``, ``label_en``,
    ``weight`` (the weights add up to 1), optional ``order``. Once a form has used the
    questionnaire its criteria are fixed (earlier rounds must stay comparable); its
    name and whether it is active can still change.
    """
    require(actor, ACTIONS["change_template"])
    template.name = stripped(template.name)
    if not template.name:
        raise _refuse(Code.TEMPLATE_NAME_REQUIRED, field="name")
    rows = _criterion_rows(criteria) if criteria is not None else None
    if template.pk is not None:
        QuestionnaireTemplate.objects.select_for_update().filter(pk=template.pk).first()  # lock against a send
    if rows is None and template.pk is None:
        raise _refuse(Code.TEMPLATE_CRITERIA_REQUIRED, field="criteria")
    if rows is not None and template.pk is not None and template.forms.exists():
        raise _refuse(Code.TEMPLATE_IN_USE, conflict=True, field="criteria", name=template.name)
    if template.pk is None:
        template.created_by = actor
    template.full_clean()
    sign_history(template, actor=actor, reason="Saved")
    template.save()
    if rows is not None:
        template.criteria.all().delete()
        for row in rows:
            criterion = Criterion(template=template, created_by=actor, updated_by=actor, **row)
            criterion.full_clean()
            sign_history(criterion, actor=actor, reason="Saved with its questionnaire")
            criterion.save()
    return template


# --- rounds --------------------------------------------------------------------------------


def planned_send_date(meeting_date: dt.date) -> dt.date:
    """The day a round is sent: SURVEY_LEAD_MONTHS calendar months before the review (R-5.6.3)."""
    return add_months(meeting_date, -procedure.setting("SURVEY_LEAD_MONTHS"))


@transaction.atomic(durable=True)
def round_plan(*, meeting, actor: User, template: QuestionnaireTemplate | None = None) -> SurveyRound:
    """Plan the survey round of a management review, SURVEY_LEAD_MONTHS before it (R-5.6.3).

    One round per meeting; ``template`` defaults to the active questionnaire.
    """
    require(actor, ACTIONS["plan"])
    meeting = review_meetings().objects.select_for_update().get(pk=meeting.pk)
    existing = SurveyRound.objects.filter(meeting=meeting).first()
    if existing is not None:
        raise _refuse(Code.ROUND_EXISTS, conflict=True, meeting=str(meeting), number=existing.number)
    if not meeting.is_planned:
        raise _refuse(
            Code.MEETING_NOT_PLANNED, conflict=True, field="meeting", meeting=str(meeting),
            status=meeting.get_status_display().lower(),
        )
    template = template or QuestionnaireTemplate.objects.filter(active=True).order_by("pk").first()
    if template is None or not template.active:
        raise _refuse(Code.TEMPLATE_INACTIVE, field="template", name=str(template or "—"))
    survey_round = SurveyRound(
        meeting=meeting,
        template=template,
        planned_send_on=planned_send_date(meeting.meeting_date),
        created_by=actor,
        updated_by=actor,
    )
    survey_round.full_clean(exclude=["number", "status"])
    survey_round.number = number_next(doc_type=ROUND_TYPE, year=survey_round.planned_send_on.year)
    sign_history(survey_round, actor=actor, reason=f"Planned for {meeting}")
    survey_round.save()
    return survey_round


@transaction.atomic
def round_follow_meeting(*, meeting, actor: User) -> SurveyRound | None:
    """Move or cancel the planned round of ``meeting`` after the meeting moved or was cancelled (R-5.6.3).

    A building block of the management review's own steps (``meeting_update``,
    ``meeting_cancel``), in their transaction; the caller has locked the meeting. A round
    not sent yet follows its meeting: its send day becomes SURVEY_LEAD_MONTHS before the
    new date, or it is cancelled with it. A round already sent stays as it is (its forms
    are out), but its meeting cannot move before the day the forms went out.
    """
    survey_round = SurveyRound.objects.select_for_update().filter(meeting_id=meeting.pk).first()
    if survey_round is None:
        return None
    if survey_round.status == RoundStatus.PLANNED:
        if not meeting.is_planned:
            return transition_apply(
                survey_round, "cancel", actor=actor, reason=f"Cancelled with {meeting}: {meeting.cancel_reason}"
            )
        send_on = planned_send_date(meeting.meeting_date)
        if send_on != survey_round.planned_send_on:
            survey_round.planned_send_on = send_on
            sign_history(survey_round, actor=actor, reason=f"Moved with {meeting}")
            survey_round.save(update_fields=["planned_send_on", "updated_by"])
        return survey_round
    if survey_round.sent_at is not None and meeting.is_planned:
        sent_on = timezone.localdate(survey_round.sent_at)
        if meeting.meeting_date < sent_on:
            raise _refuse(
                Code.MEETING_BEFORE_ROUND_SENT, conflict=True, field="meeting_date", number=survey_round.number,
                sent_on=_date(sent_on), date=_date(meeting.meeting_date),
            )
    return survey_round


def _window_refusal(survey_round: SurveyRound, today: dt.date) -> LiaisonError | None:
    """Why the round may not go out today without a reason (R-5.6.3), or None inside its window."""
    where = survey_round.outside_window(today)
    if where == "before":
        return _refuse(Code.SEND_BEFORE_WINDOW, field="reason", number=survey_round.number,
                       first=_date(survey_round.planned_send_on), today=_date(today))
    if where == "after":
        return _refuse(Code.SEND_AFTER_MEETING, field="reason", number=survey_round.number,
                       meeting=_date(survey_round.meeting.meeting_date))
    return None


def _contact_for(customer: Customer) -> Contact | None:
    """The contact a survey goes to: the primary active contact, else the first active one."""
    contacts = sorted(
        (contact for contact in customer.contacts.all() if contact.active), key=lambda c: (not c.is_primary, c.pk)
    )
    return contacts[0] if contacts else None


def _mail_address(form: SurveyForm) -> str:
    return (form.contact.email if form.contact is not None else "") or form.customer.email


def _survey_message(form: SurveyForm, *, reminder: bool) -> EmailMessage:
    """The e-mail with the private answer link, in the form's language."""
    with translation.override(form.language):
        context = {
            "number": form.number,
            "customer": form.customer.registered_name,
            "contact": form.contact.name if form.contact is not None else form.customer.registered_name,
            "link": public_url(form.answer_path()),
            "valid_until": formats.date_format(form.valid_until, "DATE_FORMAT"),
        }
        if reminder:
            subject = gettext("Reminder: customer satisfaction survey %(number)s") % context
            opening = gettext(
                "Dear %(contact)s,\n\nwe have not yet received your answer to our customer satisfaction survey "
                "%(number)s. It takes two minutes:"
            ) % context
        else:
            subject = gettext("Customer satisfaction survey %(number)s") % context
            opening = gettext(
                "Dear %(contact)s,\n\nplease tell us how satisfied %(customer)s is with our products and service. "
                "Answering takes two minutes:"
            ) % context
        closing = gettext(
            "The link is personal to your company and can be used until %(valid_until)s.\n\nThank you."
        ) % context
    body = f"{opening}\n\n{context['link']}\n\n{closing}\n"
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [_mail_address(form)])


def _send_after_commit(message: EmailMessage) -> None:
    def send():
        try:
            message.send()
        except Exception:  # the form is recorded; a failed delivery is logged, not lost silently
            logger.exception("Survey e-mail to %s failed", message.to)

    transaction.on_commit(send)


@transaction.atomic(durable=True)
def round_send(
    *,
    survey_round: SurveyRound,
    customers: Iterable[Customer],
    channel: SurveyChannel | str,
    actor: User,
    reason: str = "",
) -> list[SurveyForm]:
    """Send the round's form F10 to each customer, by one channel (R-5.6.3).

    One form per customer, to its primary contact. E-mail forms go out after commit
    with the private answer link; fax, post and in-person forms are marked sent and
    are printed. Each form fixes its chase day (SURVEY_CHASE_DAYS after today) and its
    last valid day (SURVEY_VALID_MONTHS after today), and writes its F5 line and the
    SURVEY_SENT timeline event. Any customer that cannot be sent to refuses the whole
    call: nothing is sent.

    The round goes out from its planned day up to its management review (R-5.6.3).
    Before that day, or after the meeting (or once it is held), it is refused unless
    ``reason`` says why; the reason is kept on each form sent and in its history.
    """
    require(actor, ACTIONS["send"])
    if channel not in SurveyChannel.values:
        raise _refuse(Code.CHANNEL_INVALID, field="channel")
    survey_round = (
        SurveyRound.objects.select_for_update(of=("self",)).select_related("template", "meeting")
        .get(pk=survey_round.pk)
    )
    if survey_round.status == RoundStatus.CANCELLED:
        raise _refuse(Code.ROUND_CANCELLED, conflict=True, number=survey_round.number)
    if survey_round.status not in ROUND_SENDABLE:
        raise _refuse(Code.ROUND_CLOSED, conflict=True, number=survey_round.number)
    reason = stripped(reason)[:300]
    outside = _window_refusal(survey_round, clock.today())
    if outside is not None and not reason:
        raise outside
    customer_ids = list(dict.fromkeys(customer.pk for customer in customers))
    if not customer_ids:
        raise _refuse(Code.CUSTOMERS_REQUIRED, field="customers")
    chosen = list(Customer.objects.filter(pk__in=customer_ids).prefetch_related("contacts").order_by("registered_name"))
    already = set(
        survey_round.forms.filter(customer_id__in=customer_ids, voided_at__isnull=True).values_list(
            "customer__registered_name", flat=True
        )
    )
    if already:
        raise _refuse(
            Code.ALREADY_IN_ROUND, conflict=True, field="customers", number=survey_round.number,
            customers=", ".join(sorted(already)),
        )
    contacts = {customer.pk: _contact_for(customer) for customer in chosen}
    without = [customer.registered_name for customer in chosen if contacts[customer.pk] is None]
    if without:
        raise _refuse(Code.NO_CONTACT, field="customers", customers=", ".join(without))
    if channel == SurveyChannel.EMAIL:
        no_mail = [c.registered_name for c in chosen if not (contacts[c.pk].email or c.email)]
        if no_mail:
            raise _refuse(Code.NO_EMAIL, field="customers", customers=", ".join(no_mail))

    now, today = clock.now(), clock.today()
    chase_due_on = today + dt.timedelta(days=procedure.setting("SURVEY_CHASE_DAYS"))
    valid_until = add_months(today, procedure.setting("SURVEY_VALID_MONTHS"))
    why = f"Sent outside its window ({survey_round.outside_window(today)}): {reason}" if outside else "Sent"
    if survey_round.status in ROUND_TRANSITIONS.sources("send"):
        transition_apply(survey_round, "send", actor=actor, reason=why, fields=["sent_at"])
    elif outside:
        sign_history(survey_round, actor=actor, reason=why)
        survey_round.save(update_fields=["updated_by"])
    forms = []
    for customer in chosen:
        form = SurveyForm(
            round=survey_round,
            template=survey_round.template,
            customer=customer,
            contact=contacts[customer.pk],
            source=SurveySource.SURVEY,
            channel=channel,
            language=DEFAULT_FORM_LANGUAGE,
            sent_at=now,
            chase_due_on=chase_due_on,
            valid_until=valid_until,
            send_reason=reason if outside else "",
            created_by=actor,
            updated_by=actor,
        )
        form.full_clean(exclude=["number", "answer_token"])
        form.number = number_next(doc_type=FORM_TYPE)
        sign_history(form, actor=actor, reason=f"Sent in {survey_round.number}" + (f": {why}" if outside else ""))
        form.save()
        summary = gettext("Satisfaction survey %(form)s sent (%(channel)s), to return by %(valid_until)s") % {
            "form": form.number,
            "channel": SurveyChannel(channel).label,
            "valid_until": _date(valid_until),
        }
        exchange_record(
            customer=customer, channel=F5_CHANNEL[channel], direction=Direction.TO_CUSTOMER, topic=Topic.SURVEY,
            summary=summary, actor=actor, about=form, event=TimelineEvent.SURVEY_SENT,
        )
        if channel == SurveyChannel.EMAIL:
            _send_after_commit(_survey_message(form, reminder=False))
        forms.append(form)
    return forms


# --- returned forms ------------------------------------------------------------------------


def _scores_checked(form: SurveyForm, scores: Mapping) -> dict[Criterion, int]:
    """Every criterion of the form's questionnaire scored once, 1–5; keys are codes or criteria."""
    criteria = list(form.template.criteria.all())
    by_code = {criterion.code: criterion for criterion in criteria}
    checked: dict[int, tuple[Criterion, int]] = {}
    for key, value in (scores or {}).items():
        code = key.code if isinstance(key, Criterion) else str(key)
        criterion = by_code.get(code)
        if criterion is None:
            raise _refuse(Code.CRITERION_UNKNOWN, field="scores", criterion=code)
        if isinstance(value, bool):
            value = None
        try:
            number = int(value) if value is not None and str(value).strip().isdigit() else None
        except (TypeError, ValueError):
            number = None
        if number is None or not SCORE_MIN <= number <= SCORE_MAX:
            raise _refuse(Code.SCORE_OUT_OF_RANGE, field=f"scores.{code}", criterion=criterion.label())
        checked[criterion.pk] = (criterion, number)
    missing = [criterion.label() for criterion in criteria if criterion.pk not in checked]
    if missing:
        raise _refuse(Code.SCORES_INCOMPLETE, field="scores", missing=", ".join(missing))
    return dict(checked.values())


def _save_scores(form: SurveyForm, scores: dict[Criterion, int], actor: User | None) -> None:
    for criterion, value in scores.items():
        score = SurveyScore(form=form, criterion=criterion, score=value, created_by=actor, updated_by=actor)
        sign_history(score, actor=actor, reason=f"Scored on {form.number}")
        score.save()


def _refuse_unless_open(form: SurveyForm) -> None:
    if form.voided_at is not None:
        raise _refuse(Code.FORM_VOID, conflict=True, number=form.number)
    if form.returned_on is not None:
        raise _refuse(Code.FORM_ALREADY_RETURNED, conflict=True, number=form.number)
    if form.sent_at is None:
        raise _refuse(Code.FORM_NOT_SENT, conflict=True, number=form.number)


def _record_return(form: SurveyForm, *, channel: str, actor: User | None) -> None:
    """The F5 line and the timeline event of a returned form: returned, or void if too late."""
    if form.is_late:
        event = TimelineEvent.SURVEY_VOIDED
        summary = gettext("Satisfaction survey %(form)s returned on %(returned_on)s, after %(valid_until)s: void") % {
            "form": form.number, "returned_on": _date(form.returned_on), "valid_until": _date(form.valid_until),
        }
    else:
        event = TimelineEvent.SURVEY_RETURNED
        summary = gettext("Satisfaction survey %(form)s returned on %(returned_on)s") % {
            "form": form.number, "returned_on": _date(form.returned_on),
        }
    exchange_record(
        customer=form.customer, channel=channel, direction=Direction.FROM_CUSTOMER, topic=Topic.SURVEY,
        summary=summary, actor=actor, about=form, event=event,
    )


@transaction.atomic(durable=True)
def form_enter(
    *,
    form: SurveyForm,
    scores: Mapping,
    actor: User,
    comments: str = "",
    comment_is_complaint: bool = False,
    returned_on: dt.date | None = None,
) -> SurveyForm:
    """Sales enters a form the customer returned on paper (fax, post, in person).

    ``scores`` maps each criterion's code to 1–5. A form returned after its last valid
    day is accepted and kept with everything entered, but it is void (void-late) and
    left out of the statistics (R-5.6.3); its timeline says SURVEY_VOIDED.
    """
    require(actor, ACTIONS["enter"])
    form = _locked_form(form)
    _refuse_unless_open(form)
    today = clock.today()
    returned_on = returned_on or today
    if returned_on > today:
        raise _refuse(Code.RETURNED_IN_FUTURE, field="returned_on", returned_on=_date(returned_on), today=_date(today))
    sent_on = timezone.localdate(form.sent_at)
    if returned_on < sent_on:
        raise _refuse(
            Code.RETURNED_BEFORE_SENT, field="returned_on", returned_on=_date(returned_on), sent_on=_date(sent_on)
        )
    checked = _scores_checked(form, scores)
    form.returned_on = returned_on
    form.entered_at = clock.now()
    form.entered_by = actor
    form.comments = stripped(comments)
    form.comment_is_complaint = bool(comment_is_complaint)
    sign_history(form, actor=actor, reason="Returned too late: void" if form.is_late else "Returned and entered")
    form.save(update_fields=["returned_on", "entered_at", "entered_by", "comments", "comment_is_complaint",
                             "updated_by"])
    _save_scores(form, checked, actor)
    channel = F5_CHANNEL.get(form.channel, CommunicationChannel.LETTER)
    if form.channel == SurveyChannel.EMAIL:
        channel = CommunicationChannel.LETTER  # an e-mailed form that came back on paper
    _record_return(form, channel=channel, actor=actor)
    return form


def form_by_token(token: str) -> SurveyForm:
    """The form behind a private answer link, or FORM_NOT_FOUND."""
    form = (
        SurveyForm.objects.select_related("customer", "template").filter(answer_token=str(token or "")).first()
        if token
        else None
    )
    if form is None:
        raise _refuse(Code.FORM_NOT_FOUND)
    return form


def form_refusal(form: SurveyForm) -> LiaisonError | None:
    """Why the customer cannot answer ``form`` online now, or None."""
    if form.voided_at is not None:
        return _refuse(Code.FORM_VOID, conflict=True, number=form.number)
    if form.returned_on is not None:
        return _refuse(Code.FORM_ALREADY_RETURNED, conflict=True, number=form.number)
    if form.sent_at is None:
        return _refuse(Code.FORM_NOT_SENT, conflict=True, number=form.number)
    if form.valid_until is not None and clock.today() > form.valid_until:
        return _refuse(
            Code.FORM_EXPIRED, conflict=True, number=form.number,
            valid_until=formats.date_format(form.valid_until, "DATE_FORMAT"),
        )
    return None


@transaction.atomic(durable=True)
def form_answer_online(*, token: str, scores: Mapping, comments: str = "") -> SurveyForm:
    """The customer answers through the private link (no login).

    Refused when the link is unknown, the form void, already answered or past its
    last valid day; the refusal changes nothing. The customer's comments are not
    judged here: Sales marks a comment as a complaint (``form_mark_complaint``).
    """
    form = form_by_token(token)
    form = _locked_form(form)
    refusal = form_refusal(form)
    if refusal is not None:
        raise refusal
    checked = _scores_checked(form, scores)
    form.returned_on = clock.today()
    form.entered_at = clock.now()
    form.answered_online = True
    form.comments = stripped(comments)[:5000]
    sign_history(form, actor=None, reason="Answered online by the customer")
    form.save(update_fields=["returned_on", "entered_at", "answered_online", "comments", "updated_at"])
    _save_scores(form, checked, None)
    _record_return(form, channel=CommunicationChannel.EMAIL, actor=None)
    return form


@transaction.atomic(durable=True)
def satisfaction_record(
    *,
    customer: Customer,
    source: SurveySource | str,
    scores: Mapping,
    actor: User,
    comments: str = "",
    comment_is_complaint: bool = False,
    contact: Contact | None = None,
    channel: SurveyChannel | str = SurveyChannel.IN_PERSON,
    occurred_on: dt.date | None = None,
    template: QuestionnaireTemplate | None = None,
) -> SurveyForm:
    """Enter satisfaction heard in an interview or feedback on a form F10 (R-5.6.2, R-5.6.5).

    Outside any round: the form is returned the day it is entered and counts.
    """
    require(actor, ACTIONS["record"])
    if source not in (SurveySource.INTERVIEW, SurveySource.FEEDBACK):
        raise _refuse(Code.SOURCE_INVALID, field="source")
    if channel not in SurveyChannel.values:
        raise _refuse(Code.CHANNEL_INVALID, field="channel")
    if contact is not None and contact.customer_id != customer.pk:
        raise _refuse(Code.CONTACT_OTHER_CUSTOMER, field="contact", contact=contact.name, customer=str(customer))
    template = template or QuestionnaireTemplate.objects.filter(active=True).order_by("pk").first()
    if template is None or not template.active:
        raise _refuse(Code.TEMPLATE_INACTIVE, field="template", name=str(template or "—"))
    today = clock.today()
    occurred_on = occurred_on or today
    if occurred_on > today:
        raise _refuse(Code.RETURNED_IN_FUTURE, field="occurred_on", returned_on=_date(occurred_on), today=_date(today))
    form = SurveyForm(
        template=template, customer=customer, contact=contact, source=source, channel=channel,
        language=DEFAULT_FORM_LANGUAGE, returned_on=occurred_on, entered_at=clock.now(), entered_by=actor,
        comments=stripped(comments), comment_is_complaint=bool(comment_is_complaint), created_by=actor,
        updated_by=actor,
    )
    checked = _scores_checked(form, scores)
    form.full_clean(exclude=["number", "answer_token"])
    form.number = number_next(doc_type=FORM_TYPE)
    sign_history(form, actor=actor, reason=f"Entered from {source}")
    form.save()
    _save_scores(form, checked, actor)
    summary = gettext("Satisfaction from %(source)s entered on %(form)s") % {
        "source": str(SurveySource(source).label).lower(), "form": form.number,
    }
    exchange_record(
        customer=customer, channel=F5_CHANNEL[channel], direction=Direction.FROM_CUSTOMER, topic=Topic.SURVEY,
        summary=summary, actor=actor, about=form, event=TimelineEvent.SATISFACTION_ENTERED,
    )
    return form


@transaction.atomic(durable=True)
def form_mark_complaint(*, form: SurveyForm, is_complaint: bool, actor: User) -> SurveyForm:
    """Sales judges whether a returned form's comments are a complaint (R-5.6.6)."""
    require(actor, ACTIONS["flag"])
    form = _locked_form(form)
    if form.voided_at is not None:
        raise _refuse(Code.FORM_VOID, conflict=True, number=form.number)
    form.comment_is_complaint = bool(is_complaint)
    sign_history(form, actor=actor, reason="Comments marked a complaint" if is_complaint else "Comments not a complaint")
    form.save(update_fields=["comment_is_complaint", "updated_by"])
    return form


@transaction.atomic(durable=True)
def form_void(*, form: SurveyForm, reason: str, actor: User) -> SurveyForm:
    """Void a form by hand (sent to the wrong customer, a duplicate …); it keeps its number."""
    require(actor, ACTIONS["void"])
    reason = stripped(reason)
    if not reason:
        raise _refuse(Code.VOID_REASON_REQUIRED, field="reason")
    form = _locked_form(form)
    if form.voided_at is not None:
        raise _refuse(Code.FORM_VOID, conflict=True, number=form.number)
    form.voided_at, form.voided_by, form.void_reason = clock.now(), actor, reason[:300]
    sign_history(form, actor=actor, reason=f"Voided: {reason}")
    form.save(update_fields=["voided_at", "voided_by", "void_reason", "updated_by"])
    timeline_record(
        customer=form.customer, event=TimelineEvent.SURVEY_FORM_VOIDED, actor=actor,
        summary=f"{form.number}: {reason}",
        about=form,
    )
    return form


# --- chasing -------------------------------------------------------------------------------


def _chase_locked(form_pk: int, *, channel: str, actor: User | None, note: str = "") -> SurveyForm | None:
    """Chase one form under its row lock; None when another run (or a return) got there first."""
    today = clock.today()
    form = (
        SurveyForm.objects.select_for_update(of=("self",)).select_related("customer", "contact")
        .chase_due(today=today).filter(pk=form_pk).first()
    )
    if form is None:
        return None
    form.chased_at = clock.now()
    form.chase_channel = channel
    sign_history(form, actor=actor, reason=f"Chased ({channel})")
    form.save(update_fields=["chased_at", "chase_channel", "updated_by", "updated_at"])
    summary = gettext("Satisfaction survey %(form)s chased (%(channel)s), %(days)s days after sending") % {
        "form": form.number, "channel": ChaseChannel(channel).label,
        "days": (today - timezone.localdate(form.sent_at)).days,
    }
    if note:
        summary = f"{summary}: {note}"
    exchange_record(
        customer=form.customer, channel=F5_CHANNEL.get(channel, CommunicationChannel.LETTER),
        direction=Direction.TO_CUSTOMER, topic=Topic.SURVEY, summary=summary, actor=actor, about=form,
        event=TimelineEvent.SURVEY_CHASED,
    )
    if channel == ChaseChannel.EMAIL:
        _send_after_commit(_survey_message(form, reminder=True))
    return form


def surveys_chase_due(*, actor: User | None = None) -> list[SurveyForm]:
    """Chase, once, every e-mailed form unreturned SURVEY_CHASE_DAYS after sending (R-5.6.3).

    The scheduled job. Each form is chased in its own transaction under its row lock
    and only if ``chased_at`` is still empty, so two runs at once (or a run repeated
    the same day) send one reminder. Forms sent by fax, post or in person are left
    for Sales to chase by phone or fax (``selectors.forms_to_chase_by_hand`` lists them),
    recorded with ``form_chase``.
    """
    if actor is not None:
        require(actor, ACTIONS["chase"])
    due = list(
        SurveyForm.objects.chase_due().filter(channel=SurveyChannel.EMAIL).order_by("pk").values_list("pk", flat=True)
    )
    chased = []
    for pk in due:
        with transaction.atomic(durable=True):
            form = _chase_locked(pk, channel=ChaseChannel.EMAIL, actor=actor)
        if form is not None:
            chased.append(form)
    return chased


@transaction.atomic(durable=True)
def form_chase(*, form: SurveyForm, channel: ChaseChannel | str, actor: User, note: str = "") -> SurveyForm:
    """Sales records chasing a form by hand (phone, fax, post, or an e-mail resent) (R-5.6.3)."""
    require(actor, ACTIONS["chase"])
    if channel not in ChaseChannel.values:
        raise _refuse(Code.CHANNEL_INVALID, field="channel")
    chased = _chase_locked(form.pk, channel=channel, actor=actor, note=stripped(note))
    if chased is not None:
        return chased
    form = SurveyForm.objects.get(pk=form.pk)
    if form.chased_at is not None and form.returned_on is None and form.voided_at is None:
        raise _refuse(Code.ALREADY_CHASED, conflict=True, number=form.number,
                      chased_on=_date(timezone.localdate(form.chased_at)))
    raise _refuse(Code.NOT_CHASE_DUE, conflict=True, number=form.number, state=_form_state_label(form))


def rounds_close_finished(*, actor: User | None = None) -> list[SurveyRound]:
    """Close each sent round whose forms are all returned, void or past their last valid day."""
    today = clock.today()
    open_forms = SurveyForm.objects.filter(
        round=OuterRef("pk"), returned_on__isnull=True, voided_at__isnull=True, valid_until__gte=today
    )
    closed = []
    closing = ROUND_TRANSITIONS.sources("close")
    for survey_round in SurveyRound.objects.filter(status__in=closing).exclude(Exists(open_forms)):
        with transaction.atomic(durable=True):
            survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
            if survey_round.status not in closing or survey_round.forms.filter(
                returned_on__isnull=True, voided_at__isnull=True, valid_until__gte=today
            ).exists():
                continue
            transition_apply(
                survey_round, "close", actor=actor, reason="Closed: every form returned or past its validity",
                fields=["closed_at"],
            )
            closed.append(survey_round)
    return closed


# --- dissatisfaction -----------------------------------------------------------------------


@transaction.atomic(durable=True)
def dissatisfaction_raise(
    *,
    form: SurveyForm,
    department: Department,
    problem: str,
    effectiveness_criterion: str,
    actor: User,
    due_date: dt.date | None = None,
    effectiveness_check_date: dt.date | None = None,
) -> SurveyForm:
    """QC issues the CAPA request (F7) for a dissatisfied customer's form (R-5.6.6, R-3.3).

    Sales flags (a score under SURVEY_DISSATISFACTION_THRESHOLD or the comments marked
    a complaint); QC issues through ``capa_issue`` with the form as its source, and the
    form links back to it. Only a form returned in time, once.
    """
    form = _locked_form(form)
    if form.state() not in FORM_COUNTED:
        raise _refuse(Code.NOT_COUNTED, conflict=True, number=form.number, state=_form_state_label(form))
    if form.capa_id is not None:
        raise _refuse(Code.CAPA_EXISTS, conflict=True, number=form.number, capa=str(form.capa))
    threshold = procedure.setting("SURVEY_DISSATISFACTION_THRESHOLD")
    if not SurveyForm.objects.filter(pk=form.pk).dissatisfied(threshold).exists():
        raise _refuse(Code.NOT_DISSATISFIED, conflict=True, number=form.number, threshold=threshold)
    capa = capa_issue(
        source=form, department=department, problem=problem, actor=actor,
        effectiveness_criterion=effectiveness_criterion, due_date=due_date,
        effectiveness_check_date=effectiveness_check_date,
    )
    form.capa = capa
    sign_history(form, actor=actor, reason=f"Dissatisfaction raised as {capa.number}")
    form.save(update_fields=["capa", "updated_by"])
    timeline_record(
        customer=form.customer, event=TimelineEvent.DISSATISFACTION_RAISED, actor=actor,
        summary=f"{form.number} → {capa.number} · {capa.department} · {capa.problem}"[:500], about=form,
    )
    return form
