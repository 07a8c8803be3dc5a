"""Error codes of the customers app."""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from liaison.core.errors import LiaisonError


class CustomerErrorCode(StrEnum):
    IMPORT_FORMAT_UNKNOWN = "import_format_unknown"
    IMPORT_FILE_UNREADABLE = "import_file_unreadable"
    IMPORT_FILE_EMPTY = "import_file_empty"
    IMPORT_ROWS_INVALID = "import_rows_invalid"


MESSAGES = {
    CustomerErrorCode.IMPORT_FORMAT_UNKNOWN: _(
        "“%(file_format)s” files cannot be imported; use an Excel workbook (.xlsx) or CSV."
    ),
    CustomerErrorCode.IMPORT_FILE_UNREADABLE: _(
        "The file could not be read as %(file_format)s. Save it again from Excel and retry."
    ),
    CustomerErrorCode.IMPORT_FILE_EMPTY: _("The file has no customer rows below its header row."),
    CustomerErrorCode.IMPORT_ROWS_INVALID: _(
        "Nothing was imported: %(count)s problem(s) in the file, first in row %(first_row)s."
    ),
}


@dataclass(frozen=True)
class ImportProblem:
    """What is wrong in one cell or row of an import file.

    ``row`` counts like the spreadsheet: the header is row 1, the first customer row 2.
    ``field`` is the column's header, or "" when the whole row (or file) is wrong.
    """

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = _("Row %(row)s") % {"row": self.row}
        if self.field:
            where = f"{where}, {self.field}"
        return f"{where}: {self.message}"


class CustomersImportError(LiaisonError):
    """An import file was refused as a whole; ``problems`` says where and why."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__(
            CustomerErrorCode.IMPORT_ROWS_INVALID,
            MESSAGES[CustomerErrorCode.IMPORT_ROWS_INVALID],
            field="file",
            count=len(problems),
            first_row=problems[0].row if problems else 1,
        )
