"""Retention policies, legal holds and the disposal log (R-5.7)."""
