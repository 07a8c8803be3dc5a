"""Writes of the quality app, one module per aggregate.

``complaints``: complaints and returns on F6, from registration to closing or voiding;
``returns``: returned goods (inspection, nonconformance disposition, replacement);
``feedback``: other customer feedback. CAPA requests (F7) have their own package, ``quality.capa``.
"""
