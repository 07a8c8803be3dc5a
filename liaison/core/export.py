"""Spreadsheet exports that cannot run what a customer typed (CSV/formula injection).

import-export's ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` only drops a leading "=":
"=HYPERLINK(...)" loses its sign (the data changes) and "+cmd", "-2+3" or "@SUM(A1)"
still run as formulas in Excel or LibreOffice. Here every text cell that starts with
= + - @, a tab or a carriage return gets a leading apostrophe: the spreadsheet shows
the text as typed and never evaluates it (OWASP's advice for CSV injection).
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    """Return ``value`` with a leading apostrophe if it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class InertFormulaeMixin:
    """Mix into an import-export Resource: its exports carry no live formulas."""

    def export(self, *args, **kwargs):
        dataset = super().export(*args, **kwargs)
        for index, row in enumerate(dataset):
            dataset[index] = tuple(inert(value) for value in row)
        return dataset
