"""Settings of the procedure itself, in one place, each overridable.

Override any of them in Django settings with ``LIAISON_PROCEDURE = {"NAME": value}``.
Read them through ``procedure.setting("NAME")`` so a test can change them with
``settings.LIAISON_PROCEDURE``.
"""

from django.conf import settings as django_settings

DEFAULTS = {
    # Complaints: acknowledged within a working day, resolved within 15 days.
    "COMPLAINT_ACKNOWLEDGE_HOURS": 24,
    "COMPLAINT_RESOLVE_DAYS": 15,
    # CAPA (R-5.5.1.2): default due date and effectiveness check, in days after issue.
    "CAPA_DUE_DAYS": 30,
    "CAPA_EFFECTIVENESS_CHECK_DAYS": 90,
    # Who takes the steps the procedure gives to a head (R-5.5.1.1–R-5.5.1.3, R-4): the role codes
    # (``core.roles.Role``) that may; any other role is refused. The seed's heads are the defaults.
    # R-5.5.1.1: Sales staff may prepare a complaint; the Sales head (業務部負責人) confirms it and passes it to QC.
    "COMPLAINT_CONFIRM_ROLES": ("sales_head",),
    # R-5.5.1.2: the QC head (質檢部負責人) investigates and decides the finding (the cause, at fault or not).
    "COMPLAINT_INVESTIGATE_ROLES": ("qc_head",),
    # R-5.5.1.2: the QC head verifies a CAPA request's execution and effectiveness (or sends it back).
    "CAPA_VERIFY_ROLES": ("qc_head",),
    # R-5.5.1.3: the QC head feeds the result back to the customer (which closes the complaint).
    "COMPLAINT_FEEDBACK_ROLES": ("qc_head",),
    # Satisfaction surveys.
    "SURVEY_LEAD_MONTHS": 2,
    "SURVEY_CHASE_DAYS": 15,
    "SURVEY_VALID_MONTHS": 2,
    "SURVEY_DISSATISFACTION_THRESHOLD": 3,
    # Contract review (R-5.2.3.1): the kinds of department every review round carries at least
    # (DepartmentKind values). A kind none of the departments set to sign is of comes onto the form
    # with every active department of that kind; a kind without any active department refuses.
    "REVIEW_DEPARTMENT_KINDS": ("sales", "workshop", "qc", "warehouse"),
    # Records: retention in years after a record is closed or voided.
    "RETENTION_YEARS": 2,
}


def setting(name: str):
    """The value of one procedure setting, honouring ``LIAISON_PROCEDURE`` overrides."""
    overrides = getattr(django_settings, "LIAISON_PROCEDURE", {})
    return overrides.get(name, DEFAULTS[name])
