"""Signals the core sends for other apps to act on."""

from django.dispatch import Signal

# Sent by ``AuditedModel.delete()`` before Django collects what the deletion would touch, so
# a receiver can refuse it with a reason (the records app refuses kept records, R-5.7).
deletion_requested = Signal()
