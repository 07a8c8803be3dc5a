"""Choices of the customers app."""

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
