"""CAPA requests (F7, 糾正和預防措施要求書): QC issues them, the responsible department carries them out.

The usual rooms: ``services`` (writes), ``selectors`` (reads), ``errors`` (codes and the
ACTIONS table), ``rules`` (a department's own requests), ``forms`` and ``views`` (the CAPA
page), ``api`` and ``admin``.
"""
