"""Tables written for staff to open in a spreadsheet: one Excel writer for every export (targets,
年度监测, feedback) so each has a bold frozen header, sized columns and formula-safe text."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads a cell starting so as a formula
MAX_WIDTH = 80  # characters: a wider column pushes the rest of the sheet off the screen; Excel wraps


def spreadsheet_safe(table: list[dict]) -> list[dict]:
    """The table with every text cell that a spreadsheet would run as a formula (a source typed as
    =HYPERLINK(…)) quoted by a leading apostrophe, as Excel itself marks text."""
    return [{k: f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_START) else v for k, v in r.items()} for r in table]


def write_xlsx(table: list[dict], columns: list[str], widths: list[int], path: str | Path, sheet: str) -> None:
    """`table` (rows as dicts) as one Excel sheet: header row bold and frozen, column i `widths[i]`
    characters wide (capped at MAX_WIDTH), written to a temp file first and renamed, so a reader never
    opens half a file."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in spreadsheet_safe(table):
        ws.append([r.get(c, "") for c in columns])
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = min(width, MAX_WIDTH)
    ws.freeze_panes = "A2"
    fd, tmp = tempfile.mkstemp(prefix=".sheet-", suffix=".xlsx", dir=path.parent if str(path.parent) else ".")
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
