"""QC's complaint handling report for a period (R-3.3), read at the management review.

``selectors`` builds it; ``views`` shows it as a page, ``api`` serves it; ``errors`` holds
its codes and the ACTIONS table of who may read it (the rule is in ``rules``).
"""
