"""`owners add`: a 任务分工方案 made from a plan's 主要目标 — rows shuffled, lead cells merged, task text
abbreviated, one row that matches nothing — is matched to clauses by text, not by row number."""

from __future__ import annotations

import random
import re

import pytest

from assistant.cli import main
from assistant.ingest.tables import TableError, match_rows, read_task_table
from assistant.text import norm

# SAMPLE DATA: made-up departments for the test table; the plans name no owner for these goals.
SAMPLE_LEADS = ["区卫生健康委（样例）", "区教委（样例）"]
SAMPLE_PARTNERS = "区妇联（样例）、区财政局（样例）"
NOTHING = "建设区级航天发射中心（样例：规划中没有的任务）"
SEED = 7  # fixed shuffle: the same table every run


def _abbreviated(text: str) -> str:
    """The goal as a table writes it: the enumerator dropped, only its first phrase kept."""
    body = re.sub(r"^\d{1,2}[.．]", "", text.strip())
    first = re.split(r"[，。；]", body)[0]
    return first if len(norm(first)) >= 8 else re.split(r"[。；]", body)[0]


@pytest.fixture(scope="module")
def goals(tables):
    return [c for c in tables.clauses if c.doc_id == "dongcheng" and c.section == "主要目标" and c.domain_key == "健康"
            and c.part == "妇女"]


@pytest.fixture(scope="module")
def table_rows(goals):
    rows = [(c.clause_id, _abbreviated(c.text)) for c in goals] + [(None, NOTHING)]
    random.Random(SEED).shuffle(rows)
    return rows


def _xlsx(path, rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["东城区妇女儿童发展规划任务分工方案（样例）"])
    ws.merge_cells("A1:D1")
    ws.append(["序号", "目标任务", "牵头单位", "配合单位"])
    half = len(rows) // 2
    for i, (_, task) in enumerate(rows, start=1):
        ws.append([i, task, SAMPLE_LEADS[0] if i == 1 else (SAMPLE_LEADS[1] if i == half + 1 else None), SAMPLE_PARTNERS])
    ws.merge_cells(start_row=3, start_column=3, end_row=2 + half, end_column=3)  # one lead over several rows
    ws.merge_cells(start_row=3 + half, start_column=3, end_row=2 + len(rows), end_column=3)
    wb.save(path)


def _docx(path, rows):
    from docx import Document

    d = Document()
    t = d.add_table(rows=1 + len(rows), cols=4)
    for j, h in enumerate(["序号", "主要目标", "责任单位", "配合部门"]):
        t.cell(0, j).text = h
    for i, (_, task) in enumerate(rows, start=1):
        t.cell(i, 0).text, t.cell(i, 1).text, t.cell(i, 3).text = str(i), task, SAMPLE_PARTNERS
    t.cell(1, 2).merge(t.cell(len(rows), 2)).text = SAMPLE_LEADS[0]
    d.save(path)


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "csv"])
def test_rows_match_their_clauses_by_text(tmp_path, goals, table_rows, fmt):
    path = tmp_path / f"分工.{fmt}"
    if fmt == "xlsx":
        _xlsx(path, table_rows)
    elif fmt == "docx":
        _docx(path, table_rows)
    else:  # GBK, as Excel on a Chinese Windows saves CSV
        lines = ["序号,工作任务,牵头部门,配合单位"] + [f'{i},"{t}",{SAMPLE_LEADS[0]},"{SAMPLE_PARTNERS}"'
                                                     for i, (_, t) in enumerate(table_rows, 1)]
        path.write_bytes("\n".join(lines).encode("gbk"))
    rows, columns = read_task_table(path)
    assert len(rows) == len(table_rows) and set(columns) == {"task", "lead", "partners"}
    assert all(r.lead in SAMPLE_LEADS for r in rows)  # merged lead cells count for every row
    matches = match_rows(rows, goals)
    assert [m.clause_id for m in matches] == [cid for cid, _ in table_rows]
    (miss,) = [m for m in matches if m.clause_id is None]
    assert miss.row.task == NOTHING and "no clause" in miss.problem


def test_owners_add_stores_the_rows_and_the_targets_carry_them(capsys, corpus_copy, tmp_path, goals, table_rows):
    from assistant.ingest import ingest

    path = tmp_path / "分工.xlsx"
    _xlsx(path, table_rows)
    argv = ["--corpus", str(corpus_copy), "--index", str(tmp_path / "index"), "owners", "add", str(path), "--doc-id", "dongcheng"]
    assert main(argv + ["--dry-run"]) == 1  # one row not matched
    assert "nothing written" in capsys.readouterr().out and not list((corpus_copy / "owners").glob("*.csv"))
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "not matched: no clause holds this task" in out and NOTHING in out
    targets = [t for t in ingest(corpus_copy).targets if t.doc_id == "dongcheng" and t.clause_id in {c.clause_id for c in goals}]
    assert targets and all(t.owner_source == "assignment" for t in targets)
    t = targets[0]
    assert t.owner.startswith(tuple(SAMPLE_LEADS)) and "配合" in t.owner and "第" in t.owner_quote and "行" in t.owner_quote


def test_a_table_without_task_and_lead_columns_is_refused(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("名称,备注\n甲,乙\n", encoding="utf-8")
    with pytest.raises(TableError, match="no header row"):
        read_task_table(p)
