"""Choices of the customers app and its status groups."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


class TimelineEvent(models.TextChoices):
    """What happened, in the past tense; later apps add their own events here."""

    CUSTOMER_REGISTERED = "customer_registered", _("Customer registered")
    CUSTOMER_UPDATED = "customer_updated", _("Customer master data changed")
    CONTACT_ADDED = "contact_added", _("Contact added")
    DOCUMENT_RECEIVED = "document_received", _("Document received")
    DOCUMENT_VOIDED = "document_voided", _("Received document voided")
    COMMUNICATION_RECORDED = "communication_recorded", _("Communication recorded")
    ORDER_REGISTERED = "order_registered", _("Order registered (F1)")
    ORDER_VOIDED = "order_voided", _("Order voided (F1)")
    CLARIFICATION_ASKED = "clarification_asked", _("Clarification asked")
    CLARIFICATION_ANSWERED = "clarification_answered", _("Clarification answered")
    REVIEW_OPENED = "review_opened", _("Contract review opened (F2)")
    REVIEW_SIGNED = "review_signed", _("Department signed the contract review")
    # The review's outcome is the event (not text in the summary), so each reader sees it in their language.
    REVIEW_ACCEPTED = "review_accepted", _("Contract review accepted")
    REVIEW_ACCEPTED_WITH_CONDITIONS = "review_accepted_with_conditions", _("Contract review accepted with conditions")
    REVIEW_REJECTED = "review_rejected", _("Contract review rejected")
    SHIPPED_FROM_STOCK = "shipped_from_stock", _("Shipped from stock (F8)")
    NOTICE_ISSUED = "notice_issued", _("Production notice issued (F4)")
    NOTICE_COMPLETED = "notice_completed", _("Production notice completed")
    NOTICE_VOIDED = "notice_voided", _("Production notice voided")
    DELIVERY_REPLIED = "delivery_replied", _("Delivery date replied to the customer")
    CHANGE_REGISTERED = "change_registered", _("Change registered (F3)")
    CHANGE_AGREED = "change_agreed", _("Customer agreed to the change")
    CHANGE_WITHDRAWN = "change_withdrawn", _("Change withdrawn (F3)")
    CHANGE_APPLIED = "change_applied", _("Change applied (F3)")
    COMPLAINT_REGISTERED = "complaint_registered", _("Complaint registered (F6)")
    RETURN_REGISTERED = "return_registered", _("Return registered (F6)")
    COMPLAINT_ACKNOWLEDGED = "complaint_acknowledged", _("Complaint acknowledged")
    COMPLAINT_INVESTIGATED = "complaint_investigated", _("Complaint investigated by QC")
    RETURN_INSPECTED = "return_inspected", _("Returned goods inspected")
    RETURN_REST_NOT_COMING = "return_rest_not_coming", _("Rest of the returned goods recorded as not coming")
    CAPA_ISSUED = "capa_issued", _("CAPA request issued (F7)")
    CAPA_CLOSED = "capa_closed", _("CAPA request closed")
    CAPA_NOT_DONE = "capa_not_done", _("CAPA request sent back as not done")
    COMPLAINT_RESULT_FED_BACK = "complaint_result_fed_back", _("Complaint result fed back")
    COMPLAINT_CLOSED = "complaint_closed", _("Complaint closed")
    COMPLAINT_VOIDED = "complaint_voided", _("Complaint voided")
    FEEDBACK_RECEIVED = "feedback_received", _("Feedback received")
    FEEDBACK_ANSWERED = "feedback_answered", _("Feedback answered")
    SURVEY_SENT = "survey_sent", _("Satisfaction survey sent (F10)")
    SURVEY_CHASED = "survey_chased", _("Satisfaction survey chased")
    SURVEY_RETURNED = "survey_returned", _("Satisfaction survey returned")
    SURVEY_VOIDED = "survey_voided", _("Satisfaction survey void (returned too late)")
    SURVEY_FORM_VOIDED = "survey_form_voided", _("Satisfaction survey form voided")
    SATISFACTION_ENTERED = "satisfaction_entered", _("Satisfaction entered from an interview or feedback")
    DISSATISFACTION_RAISED = "dissatisfaction_raised", _("Dissatisfaction raised as a CAPA request")


# A contract review round decided, whatever its outcome (R-5.2.3.1).
REVIEW_DECIDED_EVENTS = (
    TimelineEvent.REVIEW_ACCEPTED,
    TimelineEvent.REVIEW_ACCEPTED_WITH_CONDITIONS,
    TimelineEvent.REVIEW_REJECTED,
)


class ImportStatus(models.TextChoices):
    """Where a back-office Excel import run in the background stands."""

    WAITING = "waiting", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Refused")


# Imports that have run to their end, imported or refused: their page stops polling.
IMPORT_FINISHED = (ImportStatus.DONE, ImportStatus.FAILED)
