"""Background work of the satisfaction app: the daily survey job (R-5.6.3)."""

from django.tasks import task

from liaison.satisfaction import services


@task
def surveys_run_daily() -> dict:
    """Chase the forms due a chase (once each) and close finished rounds; returns what it did."""
    chased = services.surveys_chase_due(actor=None)
    closed = services.rounds_close_finished(actor=None)
    return {"chased": [form.number for form in chased], "closed": [r.number for r in closed]}
