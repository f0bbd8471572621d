"""District comparison: one row per plan for an indicator, with a verdict against the city plan."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from assistant import lexicon
from assistant.models import DocMeta, Target

Verdict = Literal["参照", "相同", "更严", "更宽", "无量化目标", "未涉及"]
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


def better_direction(key: str) -> str | None:
    for d in lexicon.load("indicators")["indicators"]:
        if d["key"] == key:
            return d.get("better")
    return None


def pick_row(rows: list[Target], year: int | None = None) -> Target | None:
    """The row that states a plan's figure: numeric first, then the asked (or latest) year."""
    if not rows:
        return None
    if year is not None:
        exact = [r for r in rows if r.year == year]
        rows = exact or [r for r in rows if r.year is None] or rows
    numeric = [r for r in rows if r.value_num is not None]
    pool = numeric or rows
    return sorted(pool, key=lambda r: (r.year or 0, r.section != "主要目标"))[0]


def verdict(row: Target | None, ref: Target | None, key: str) -> Verdict:
    if row is None:
        return "未涉及"
    if row.norm_value is None:
        return "无量化目标"
    if ref is None or ref.norm_value is None or ref.norm_unit != row.norm_unit:
        return "无量化目标" if ref is None or ref.norm_value is None else "未涉及"
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


def compare(key: str, docs: list[DocMeta], targets: list[Target], doc_ids: list[str] | None = None,
            year: int | None = None) -> CompareTable:
    plans = [d for d in docs if d.kind == "plan" and (doc_ids is None or d.doc_id in doc_ids)]
    ref_doc = reference_doc(docs)
    rows_by_doc = {d.doc_id: [t for t in targets if t.doc_id == d.doc_id and t.indicator_key == key and t.kind == "target"]
                   for d in docs}
    ref = pick_row(rows_by_doc.get(ref_doc.doc_id, []), year) if ref_doc else None
    out = []
    for d in plans:
        row = pick_row(rows_by_doc[d.doc_id], year)
        v: Verdict = "参照" if ref_doc and d.doc_id == ref_doc.doc_id and row is not None else verdict(row, ref, key)
        out.append(CompareRow(
            doc_id=d.doc_id, plan=d.short_name, region=d.region,
            value=row.value if row else None, comparator=row.comparator if row else None,
            norm_value=row.norm_value if row else None, norm_unit=row.norm_unit if row else None,
            year=row.year if row else None, verdict=v, clause_id=row.clause_id if row else None,
            label=None, quote=row.quote if row else None))
    return CompareTable(indicator_key=key, reference_doc=ref_doc.doc_id if ref_doc else None, rows=out)
