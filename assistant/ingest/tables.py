"""A 任务分工方案 table (序号 | 目标任务 | 牵头单位 | 配合单位, or similar) read from .xlsx, .docx or
.csv, each row matched to the plan's clause by its text (never by row number).

Columns are found by header words; merged cells (one 牵头单位 over several rows) count for every
row they span. A row matches the clause that holds most of its wording (character pairs after
NFKC and whitespace removal, so an abbreviated task still finds its clause); a row whose best clause
holds too little of it, or that two clauses hold equally, is reported, not guessed."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from assistant.ingest.formats import decode
from assistant.models import Clause
from assistant.text import norm

HEADER_WORDS = {  # column -> words its header holds (first match wins, in this order)
    "task": ["目标任务", "工作任务", "主要任务", "任务", "目标", "指标", "内容"],
    "lead": ["牵头单位", "牵头部门", "责任单位", "牵头", "责任部门"],
    "partners": ["配合单位", "配合部门", "协办单位", "参与单位", "配合"],
}
MAX_HEADER_ROWS = 5  # a title row or two may stand above the header
MIN_MATCH = 0.6  # share of the task's character pairs the clause must hold
MIN_MARGIN = 0.05  # the best clause must beat the next by this much, else the row is ambiguous
MAX_ROWS = 5000  # a task table has tens of rows; more is not a 任务分工方案


class TableError(ValueError):
    pass


@dataclass(frozen=True)
class TaskRow:
    row: int  # the row number as a spreadsheet shows it (1-based, header included)
    task: str
    lead: str
    partners: str

    @property
    def evidence(self) -> str:
        return f"第{self.row}行：{self.task}｜牵头：{self.lead}｜配合：{self.partners}"


@dataclass(frozen=True)
class Match:
    row: TaskRow
    clause_id: str | None
    score: float
    problem: str | None = None


def read_task_table(path: Path) -> tuple[list[TaskRow], dict[str, str]]:
    """(rows, {column: header as written})."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise TableError(f"{path.name}: file not found")
    try:
        grid = {".xlsx": _xlsx, ".docx": _docx, ".csv": _csv}[suffix](path)
    except KeyError:
        raise TableError(f"{path.name}: unsupported file type; use .xlsx, .docx or .csv") from None
    except TableError:
        raise
    except Exception as e:  # noqa: BLE001 - any reader failure is a bad file, said by name
        raise TableError(f"{path.name}: not a readable table ({type(e).__name__}: {e})") from None
    if len(grid) > MAX_ROWS:
        raise TableError(f"{path.name}: {len(grid)} rows; a task table has at most {MAX_ROWS}")
    for h in range(min(MAX_HEADER_ROWS, len(grid))):
        cols = _columns(grid[h])
        if "task" in cols and "lead" in cols:
            break
    else:
        raise TableError(f"{path.name}: no header row naming the task (目标任务) and lead (牵头单位) columns")
    rows = []
    for i, cells in enumerate(grid[h + 1:], start=h + 2):
        get = lambda k: (cells[cols[k]] if k in cols and cols[k] < len(cells) else "").strip()  # noqa: E731
        if get("task"):
            rows.append(TaskRow(i, get("task"), get("lead"), get("partners")))
    return rows, {k: grid[h][v] for k, v in cols.items()}


def _columns(header: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, words in HEADER_WORDS.items():
        for w in words:
            hit = next((j for j, h in enumerate(header) if w in norm(h) and j not in out.values()), None)
            if hit is not None:
                out[key] = hit
                break
    return out


def _xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=False, data_only=True)
    ws = wb.worksheets[0]
    fill = {}
    for rng in ws.merged_cells.ranges:  # a merged cell holds its value in the top-left only
        v = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                fill[(r, c)] = v
    grid = []
    for r, row in enumerate(ws.iter_rows(), start=1):
        grid.append(["" if (v := fill.get((r, c.column), c.value)) is None else str(v) for c in row])
    return grid


def _docx(path: Path) -> list[list[str]]:
    from docx import Document

    doc = Document(str(path))
    if not doc.tables:
        raise TableError(f"{path.name}: the Word file holds no table")
    # python-docx gives a merged cell once per grid cell it spans, so its text counts for every row
    return [[c.text for c in row.cells] for row in doc.tables[0].rows]


def _csv(path: Path) -> list[list[str]]:
    text, _ = decode(path.read_bytes(), path.name)
    return [r for r in csv.reader(io.StringIO(text))]


def _pairs(s: str) -> set[str]:
    n = norm(s)
    return {n[i:i + 2] for i in range(len(n) - 1)}


def match_rows(rows: list[TaskRow], clauses: list[Clause]) -> list[Match]:
    """Each row's clause by its text."""
    grams = [(c.clause_id, _pairs(c.text)) for c in clauses]
    out = []
    for r in rows:
        want = _pairs(r.task)
        if not want:
            out.append(Match(r, None, 0.0, "empty task text"))
            continue
        scored = sorted(((len(want & g) / len(want), cid) for cid, g in grams), reverse=True)
        best, cid = scored[0] if scored else (0.0, None)
        runner = scored[1][0] if len(scored) > 1 else 0.0
        if best < MIN_MATCH:
            out.append(Match(r, None, best, f"no clause holds this task (best {best:.2f})"))
        elif best - runner < MIN_MARGIN:
            out.append(Match(r, None, best, f"two clauses fit equally ({cid}, {scored[1][1]})"))
        else:
            out.append(Match(r, cid, best))
    return out
