"""Error codes of the satisfaction app, their wording for people, and its ACTIONS table."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from liaison.core.roles import actions


class SatisfactionErrorCode(StrEnum):
    NOT_ALLOWED = "satisfaction_not_allowed"
    TEMPLATE_NAME_REQUIRED = "template_name_required"
    TEMPLATE_CRITERIA_REQUIRED = "template_criteria_required"
    TEMPLATE_CRITERION_INVALID = "template_criterion_invalid"
    TEMPLATE_CODE_DUPLICATE = "template_code_duplicate"
    TEMPLATE_WEIGHTS_NOT_ONE = "template_weights_not_one"
    TEMPLATE_IN_USE = "template_in_use"
    TEMPLATE_INACTIVE = "template_inactive"
    ROUND_EXISTS = "round_exists"
    MEETING_NOT_PLANNED = "meeting_not_planned"
    ROUND_CLOSED = "round_closed"
    CUSTOMERS_REQUIRED = "customers_required"
    CHANNEL_INVALID = "channel_invalid"
    NO_CONTACT = "no_contact"
    NO_EMAIL = "no_email"
    ALREADY_IN_ROUND = "already_in_round"
    FORM_VOID = "form_void"
    FORM_ALREADY_RETURNED = "form_already_returned"
    FORM_EXPIRED = "form_expired"
    FORM_NOT_FOUND = "form_not_found"
    FORM_NOT_SENT = "form_not_sent"
    SCORES_INCOMPLETE = "scores_incomplete"
    SCORE_OUT_OF_RANGE = "score_out_of_range"
    CRITERION_UNKNOWN = "criterion_unknown"
    RETURNED_IN_FUTURE = "returned_in_future"
    RETURNED_BEFORE_SENT = "returned_before_sent"
    SOURCE_INVALID = "source_invalid"
    CONTACT_OTHER_CUSTOMER = "contact_other_customer"
    VOID_REASON_REQUIRED = "void_reason_required"
    ALREADY_CHASED = "already_chased"
    NOT_CHASE_DUE = "not_chase_due"
    NOT_DISSATISFIED = "not_dissatisfied"
    NOT_COUNTED = "not_counted"
    CAPA_EXISTS = "capa_exists"
    ROUND_CANCELLED = "round_cancelled"
    SEND_BEFORE_WINDOW = "send_before_window"
    SEND_AFTER_MEETING = "send_after_meeting"
    MEETING_BEFORE_ROUND_SENT = "meeting_before_round_sent"


Code = SatisfactionErrorCode

MESSAGES = {
    Code.TEMPLATE_NAME_REQUIRED: _("Give the questionnaire a name."),
    Code.TEMPLATE_CRITERIA_REQUIRED: _("A questionnaire needs at least one criterion."),
    Code.TEMPLATE_CRITERION_INVALID: _(
        "Criterion %(position)s needs a code (letters, digits, hyphens), a label in each language and a weight "
        "between 0 and 1."
    ),
    Code.TEMPLATE_CODE_DUPLICATE: _("The criterion code “%(code)s” appears twice."),
    Code.TEMPLATE_WEIGHTS_NOT_ONE: _("The criteria's weights add up to %(total)s; they must add up to 1."),
    Code.TEMPLATE_IN_USE: _(
        "Questionnaire “%(name)s” has already been sent; its criteria cannot change. Create a new questionnaire."
    ),
    Code.TEMPLATE_INACTIVE: _("Questionnaire “%(name)s” is not active."),
    Code.ROUND_EXISTS: _("Management review %(meeting)s already has survey round %(number)s."),
    Code.MEETING_NOT_PLANNED: _("Management review %(meeting)s is %(status)s; plan a survey round for a coming one."),
    Code.ROUND_CLOSED: _("Survey round %(number)s is closed."),
    Code.CUSTOMERS_REQUIRED: _("Choose the customers to send the survey to."),
    Code.CHANNEL_INVALID: _("Send the survey by e-mail, fax, post or in person."),
    Code.NO_CONTACT: _("These customers have no active contact to send the survey to: %(customers)s."),
    Code.NO_EMAIL: _("These customers have no e-mail address for the survey: %(customers)s."),
    Code.ALREADY_IN_ROUND: _("These customers already have a form in survey round %(number)s: %(customers)s."),
    Code.FORM_VOID: _("Survey form %(number)s is void."),
    Code.FORM_ALREADY_RETURNED: _("Survey form %(number)s has already been answered. Thank you."),
    Code.FORM_EXPIRED: _(
        "Survey form %(number)s could be answered until %(valid_until)s; it can no longer be answered online."
    ),
    Code.FORM_NOT_FOUND: _("This survey link is not valid."),
    Code.FORM_NOT_SENT: _("Survey form %(number)s has not been sent."),
    Code.SCORES_INCOMPLETE: _("Give a score from 1 to 5 for every question: %(missing)s."),
    Code.SCORE_OUT_OF_RANGE: _("“%(criterion)s”: the score must be a whole number from 1 to 5."),
    Code.CRITERION_UNKNOWN: _("“%(criterion)s” is not a question of this survey form."),
    Code.RETURNED_IN_FUTURE: _("The return date %(returned_on)s is after today (%(today)s)."),
    Code.RETURNED_BEFORE_SENT: _("The return date %(returned_on)s is before the form was sent (%(sent_on)s)."),
    Code.SOURCE_INVALID: _("Satisfaction outside a survey round comes from an interview or customer feedback."),
    Code.CONTACT_OTHER_CUSTOMER: _("%(contact)s is not a contact of %(customer)s."),
    Code.VOID_REASON_REQUIRED: _("Say why the survey form is void."),
    Code.ALREADY_CHASED: _("Survey form %(number)s was already chased on %(chased_on)s."),
    Code.NOT_CHASE_DUE: _("Survey form %(number)s is %(state)s; only an unreturned form can be chased."),
    Code.NOT_DISSATISFIED: _(
        "Survey form %(number)s shows no dissatisfaction (no score under %(threshold)s and no complaint in the "
        "comments)."
    ),
    Code.NOT_COUNTED: _("Survey form %(number)s is %(state)s; only a form returned in time can raise a CAPA request."),
    Code.CAPA_EXISTS: _("Survey form %(number)s already has CAPA request %(capa)s."),
    Code.ROUND_CANCELLED: _("Survey round %(number)s is cancelled with its management review."),
    Code.SEND_BEFORE_WINDOW: _(
        "Survey round %(number)s goes out from %(first)s, its planned day before the management review; today is "
        "%(today)s. To send it earlier, give the reason."
    ),
    Code.SEND_AFTER_MEETING: _(
        "The management review of survey round %(number)s was on %(meeting)s; a form sent now cannot be "
        "reviewed there. To send it anyway, give the reason."
    ),
    Code.MEETING_BEFORE_ROUND_SENT: _(
        "Survey round %(number)s was sent on %(sent_on)s; its management review cannot move to %(date)s, before "
        "the forms went out."
    ),
}

# The steps of the surveys: the permission each needs, and its words in a refusal.
ACTIONS = actions(
    Code.NOT_ALLOWED,
    {
        "change_template": ("satisfaction.change_questionnairetemplate", _("change questionnaires")),
        "plan": ("satisfaction.add_surveyround", _("plan survey rounds")),
        "send": ("satisfaction.send_surveyround", _("send survey rounds")),
        "enter": ("satisfaction.enter_surveyform", _("enter returned survey forms")),
        "record": ("satisfaction.add_surveyform", _("record satisfaction from interviews and feedback")),
        "chase": ("satisfaction.chase_surveyform", _("chase survey forms")),
        "void": ("satisfaction.void_surveyform", _("void survey forms")),
        "flag": ("satisfaction.flag_surveyform", _("mark survey comments as complaints")),
        # QC issues the CAPA request of a dissatisfied customer; quality's capa_issue checks it again.
        "raise_capa": ("quality.issue_caparequest", _("issue CAPA requests")),
    },
)
