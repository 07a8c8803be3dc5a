"""Who may read QC's complaint handling report (loaded by ``rules``' autodiscovery through ``quality/rules.py``).

QC roles, the heads and management: they read complaints and investigate them or oversee
departments. No model permission says exactly this (the models are not the report's), so
it is made of existing ones: ``quality.view_complaint`` and either QC's
``quality.investigate_complaint`` or ``core.view_department``, which the Sales head, the
QC head, management and the administrator hold and Sales staff do not.
"""

import rules

from liaison.core.roles import holds
from liaison.quality.report.errors import ACTIONS

reads_complaint_report = holds("quality.view_complaint") & (
    holds("quality.investigate_complaint") | holds("core.view_department")
)

rules.add_perm(ACTIONS["view"].permission, reads_complaint_report)
