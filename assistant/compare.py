"""Plan comparison: one row per plan for an indicator, with a verdict against that plan's own parent
plan (manifest `parent_region`): 东城 against 北京市; 曾都 against 随州市, which the corpus may not hold."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from assistant import lexicon
from assistant.models import DocMeta, Target

Verdict = Literal["参照", "相同", "更严", "更宽", "无量化目标", "未涉及", "不可比", "上级未收录"]
LOWER_IS_BETTER = {"<=", "<"}
HIGHER_IS_BETTER = {">=", ">"}


class CompareRow(BaseModel):
    doc_id: str
    plan: str
    region: str
    value: str | None  # as written
    comparator: str | None
    norm_value: float | None
    norm_unit: str | None
    year: int | None
    verdict: Verdict
    clause_id: str | None
    label: str | None
    quote: str | None


class CompareTable(BaseModel):
    indicator_key: str
    reference_doc: str | None
    rows: list[CompareRow]
    missing_parents: list[str] = []  # parent regions of compared plans that the corpus does not hold


def better_direction(key: str) -> str | None:
    return lexicon.indicator_entry(key).get("better")


def pick_row(rows: list[Target], year: int | None = None) -> Target | None:
    """The row that states a plan's figure: numeric first, then the asked year, else the period's end
    (an undated row, or the latest year of a clause that gives 2025 and 2030)."""
    if not rows:
        return None
    if year is not None:
        exact = [r for r in rows if r.year == year]
        rows = exact or [r for r in rows if r.year is None] or rows
    numeric = [r for r in rows if r.value_num is not None]
    pool = numeric or rows
    return sorted(pool, key=lambda r: (r.section != "主要目标", r.year is not None, -(r.year or 0)))[0]


def verdict(row: Target | None, ref: Target | None, key: str) -> Verdict:
    if row is None:
        return "未涉及"
    if row.norm_value is None:
        return "无量化目标"
    if ref is None or ref.norm_value is None:
        return "无量化目标"
    if ref.norm_unit != row.norm_unit:  # 1名 against 50%: both figures stand, neither is stricter
        return "不可比"
    if row.norm_value == ref.norm_value:
        return "相同"
    direction = "lower" if row.comparator in LOWER_IS_BETTER else "higher" if row.comparator in HIGHER_IS_BETTER else better_direction(key)
    if direction is None:  # an unkeyed "=" row: different, but no direction to judge it by
        return "无量化目标"
    stricter = row.norm_value < ref.norm_value if direction == "lower" else row.norm_value > ref.norm_value
    return "更严" if stricter else "更宽"


def reference_doc(docs: list[DocMeta]) -> DocMeta | None:
    """The city-level plan the districts are measured against."""
    plans = [d for d in docs if d.kind == "plan"]
    by_region = {d.region: d for d in plans if d.level in ("市", "省")}
    for d in plans:
        if d.parent_region in by_region:
            return by_region[d.parent_region]
    return next(iter(by_region.values()), None)


def parent_plan(doc: DocMeta, docs: list[DocMeta]) -> DocMeta | None:
    """The plan of the region above this one, when the corpus holds it."""
    return next((p for p in docs if p.kind == "plan" and doc.parent_region and p.region == doc.parent_region), None)


def compare(key: str, docs: list[DocMeta], targets: list[Target], doc_ids: list[str] | None = None,
            year: int | None = None) -> CompareTable:
    plans = [d for d in docs if d.kind == "plan" and (doc_ids is None or d.doc_id in doc_ids)]
    ref_doc = reference_doc(docs)
    rows_by_doc = {d.doc_id: [t for t in targets if t.doc_id == d.doc_id and t.indicator_key == key and t.kind == "target"]
                   for d in docs}
    out, missing = [], []
    for d in plans:
        row = pick_row(rows_by_doc[d.doc_id], year)
        parent = parent_plan(d, docs)
        if parent is None and d.parent_region:  # 曾都 is not judged against another province's plan
            v: Verdict = "上级未收录" if row is not None else "未涉及"
            missing.append(d.parent_region)
        elif parent is None:
            v = "参照" if row is not None else "未涉及"
        else:
            v = verdict(row, pick_row(rows_by_doc.get(parent.doc_id, []), year), key)
        out.append(CompareRow(
            doc_id=d.doc_id, plan=d.short_name, region=d.region,
            value=row.value if row else None, comparator=row.comparator if row else None,
            norm_value=row.norm_value if row else None, norm_unit=row.norm_unit if row else None,
            year=row.year if row else None, verdict=v, clause_id=row.clause_id if row else None,
            label=None, quote=row.quote if row else None))
    return CompareTable(indicator_key=key, reference_doc=ref_doc.doc_id if ref_doc else None, rows=out,
                        missing_parents=list(dict.fromkeys(missing)))
