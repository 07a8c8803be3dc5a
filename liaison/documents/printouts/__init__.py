"""The procedure's paper forms printed as PDF, one module per area (these are not Django forms).

``orders`` (F1–F4), ``communications`` (F5), ``stock`` (F8), ``quality`` (F6, F7 and QC's
complaint handling report), ``surveys`` (F10) and ``review_pack`` (the management review
pack). Each prints what ``documents.selectors`` (or the owning app) loaded, on the frame of
``documents.pdf``.
"""
