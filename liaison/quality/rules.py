"""Object-level permissions of the quality app: a department's own CAPA requests, who reads QC's report."""

# ``rules`` autodiscovers only this module of the app: importing the sub-packages' rules registers them.
from liaison.quality.capa import rules as capa_rules  # noqa: F401
from liaison.quality.report import rules as report_rules  # noqa: F401
