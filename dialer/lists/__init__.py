"""Debtor lists: CSV import (`import_csv`) and the do-not-call list (`is_dnc`, `import_dnc`)."""

from dialer.lists.dnc import DncReport, add_dnc, import_dnc, is_dnc
from dialer.lists.importer import ImportProgress, import_csv
from dialer.lists.report import ImportReport, ListFileError, RowProblem

__all__ = [
    "DncReport",
    "ImportProgress",
    "ImportReport",
    "ListFileError",
    "RowProblem",
    "add_dnc",
    "import_csv",
    "import_dnc",
    "is_dnc",
]
