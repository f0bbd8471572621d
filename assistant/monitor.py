"""Monitoring: observed values against the plans' targets — met, not met, at risk — with the numbers
each status was decided from.

Entry points (pure functions over the tables; nothing here renders or answers):
  load_observations(data, store) -> list[Observation]             read from the corpus + added by users
  corpus_observations(targets, docs, clauses) -> list[Observation]
  statuses(targets, observations, docs, clauses=()) -> list[StatusRow]
  add_observations(path, store, data, dry_run=False) -> AddReport  observations add
  annual_rows(rows) -> list[dict]                                  the 年度监测 table
  write_annual_xlsx(annual_rows(rows), path)                       …as an Excel sheet

Status words live in assistant/lexicon/monitor.yaml; units convert with assistant.ingest.targets;
indicators match through assistant.lexicon; regions through the manifest (region and aliases)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, computed_field

from assistant import lexicon
from assistant.ingest import Ingested
from assistant.ingest.observations import ReadResult, RowProblem, read_observations
from assistant.ingest.targets import convert
from assistant.models import Clause, DocMeta, Observation, Target
from assistant.sheets import spreadsheet_safe, write_xlsx
from assistant.store.observations import ObservationStore
from assistant.text import fmt_number, norm

__all__ = ["Observation", "Status", "StatusRow", "SeriesPoint", "AddReport", "statuses", "corpus_observations",
           "load_observations", "add_observations", "annual_rows", "write_annual_xlsx", "spreadsheet_safe", "ANNUAL_COLUMNS"]

LOWER = {"<=", "<"}  # lower is better: met when the observed value is at or under the target
HIGHER = {">=", ">"}
LEVEL = LOWER | HIGHER | {"=", "≈"}  # comparators that state a level an observed value can be held against
MIN_TREND_POINTS = 2  # a trend needs two years of observations
ROUND = 9  # decimals kept of a converted value: 0.32% is 3.2‰, not 3.2000000000000006
YEAR_IN_TEXT = re.compile(r"(20\d\d)年")
Direction = Literal["lower", "higher", "within"]


class Status(StrEnum):
    met = "met"
    not_met = "not_met"
    at_risk = "at_risk"
    no_data = "no_data"
    qualitative = "qualitative"

    @property
    def label(self) -> str:
        """已达标 / 未达标 / 有风险 / 无数据 / 定性目标，不作数值判断 (assistant/lexicon/monitor.yaml)."""
        return lexicon.monitor().statuses[self.value]


class SeriesPoint(BaseModel):
    year: int
    value: float  # in the target's unit
    written: str  # as given: 5.2 1/10万
    unit: str | None  # as stored, before conversion
    source: str
    origin: str
    clause_id: str | None = None  # the clause that states it (corpus observations)


class StatusRow(BaseModel):
    """One target and where the observations leave it; every number the status was decided from."""

    doc_id: str
    plan: str  # the plan's short name: 东城区规划
    region: str
    population: str
    domain: str | None
    domain_key: str | None
    indicator: str  # as the plan writes it
    indicator_key: str
    # the target
    comparator: str
    target_value: str | None  # as written: 7/10万
    target_norm_value: float | None  # comparable figure, in target_unit
    target_unit: str | None
    target_year: int | None  # as stated; None when the clause names no year
    by_year: int  # the year it is due: the stated year, else the plan's last year
    clause_id: str
    clause_label: str | None = None
    quote: str
    # what it was judged on
    direction: Direction | None = None  # lower / higher is better, or within a tolerance
    tolerance: float | None = None  # absolute, in target_unit, for a "within" target
    observed_year: int | None = None
    observed_value: float | None = None  # the latest observation, in target_unit
    observed_written: str | None = None  # as given
    observed_unit: str | None = None  # as stored; observed_value is converted from it
    source: str | None = None
    source_clause_id: str | None = None  # when the observation is read from a clause
    series: list[SeriesPoint] = []  # one point a year, oldest first
    unconverted: int = 0  # observations left out: their unit does not convert to target_unit
    trend_per_year: float | None = None  # least-squares slope of the series
    projected_value: float | None = None  # the trend's value in by_year
    status: Status
    reason: str  # the decision in words, with its numbers

    @computed_field
    @property
    def status_label(self) -> str:
        return self.status.label


def _sign(comparator: str) -> str:
    return lexicon.monitor().comparator_signs.get(comparator, comparator)


def _fmt(x: float | None) -> str:
    return "" if x is None else fmt_number(round(x, 4))


# ---- observed values read from the corpus ---------------------------------------------------

def _achieved_year(t: Target, clause: Clause | None, doc: DocMeta) -> int:
    """The year an achieved figure describes: stated in the row, else named in its part
    (2018年工作总结), else the year before the plan's period (发展基础 reports 十三五末 = 2020)."""
    if t.year:
        return t.year
    if clause is not None and (m := YEAR_IN_TEXT.search(clause.part)):
        return int(m.group(1))
    return doc.period_start - 1 if doc.kind == "plan" else doc.period_start


def corpus_observations(targets: list[Target], docs: list[DocMeta], clauses: list[Clause]) -> list[Observation]:
    """Achieved figures of the targets table (发展基础, a work report's summary) as observations of
    their indicator and region, sourced to their clause. A change (提高了3.74个百分点) is not a level."""
    doc_of = {d.doc_id: d for d in docs}
    clause_of = {c.clause_id: c for c in clauses}
    out: list[Observation] = []
    for t in targets:
        doc = doc_of.get(t.doc_id)
        if (t.kind != "achieved" or doc is None or not t.indicator_key or t.norm_value is None
                or t.comparator not in LEVEL):
            continue
        clause = clause_of.get(t.clause_id)
        out.append(Observation(
            region=doc.region, indicator_key=t.indicator_key, indicator=t.indicator,
            year=_achieved_year(t, clause, doc), value=t.norm_value, unit=t.norm_unit, written=_as_written(t),
            source=clause.label if clause else t.clause_id, origin="corpus", doc_id=t.doc_id, clause_id=t.clause_id))
    return out


def _as_written(t: Target) -> str:
    """The value as the text states it, bound included: 96%以上 (a floor, not 96% exactly)."""
    value = t.value or ""
    for bound in (w for words in lexicon.load("comparators")["after"].values() for w in words):
        if value and norm(value + bound) in norm(t.quote):
            return value + bound
    return value


def load_observations(data: Ingested, store: ObservationStore) -> list[Observation]:
    """Every observation: those read from the corpus tables first, then those users added to the
    store (a user's value for the same year is the one a status uses)."""
    return corpus_observations(data.targets, data.docs, data.clauses) + store.all()


# ---- status ---------------------------------------------------------------------------------

def _direction(t: Target) -> Direction:
    if t.comparator in LOWER:
        return "lower"
    if t.comparator in HIGHER:
        return "higher"
    if t.comparator == "=" and (better := lexicon.indicator_entry(t.indicator_key).get("better")) in ("lower", "higher"):
        return better  # 100% / 保持在: as good or better counts
    return "within"


def _meets(value: float, target: float, comparator: str, direction: Direction, tolerance: float) -> bool:
    if comparator == "<":
        return value < target
    if comparator == ">":
        return value > target
    if direction == "lower":
        return value <= target
    if direction == "higher":
        return value >= target
    return abs(value - target) <= tolerance


def _trend(series: list[SeriesPoint]) -> float | None:
    """Least-squares slope per year; None with fewer than two years."""
    if len(series) < MIN_TREND_POINTS:
        return None
    xs, ys = [p.year for p in series], [p.value for p in series]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def _series(t: Target, region: str, observations: list[Observation]) -> tuple[list[SeriesPoint], int]:
    """One point a year in the target's unit; a later observation of a year (a user's) wins."""
    by_year: dict[int, SeriesPoint] = {}
    unconverted = 0
    for o in observations:
        if o.region != region or o.indicator_key != t.indicator_key:
            continue
        v = convert(o.value, o.unit, t.norm_unit)
        if v is None:
            unconverted += 1
            continue
        by_year[o.year] = SeriesPoint(year=o.year, value=round(v, ROUND), written=o.written, unit=o.unit, source=o.source,
                                     origin=o.origin, clause_id=o.clause_id)
    return [by_year[y] for y in sorted(by_year)], unconverted


def status_of(t: Target, doc: DocMeta, observations: list[Observation], label: str | None = None) -> StatusRow:
    """The status of one target (kind "target", with an indicator_key) in its plan's region."""
    series, unconverted = _series(t, doc.region, observations)
    latest = series[-1] if series else None
    base = dict(
        doc_id=t.doc_id, plan=doc.short_name, region=doc.region, population=t.population, domain=t.domain,
        domain_key=t.domain_key, indicator=t.indicator, indicator_key=t.indicator_key, comparator=t.comparator,
        target_value=t.value, target_norm_value=t.norm_value, target_unit=t.norm_unit, target_year=t.year,
        by_year=t.year or doc.period_end, clause_id=t.clause_id, clause_label=label, quote=t.quote,
        series=series, unconverted=unconverted,
        observed_year=latest.year if latest else None, observed_value=latest.value if latest else None,
        observed_written=latest.written if latest else None, observed_unit=latest.unit if latest else None,
        source=latest.source if latest else None,
        source_clause_id=latest.clause_id if latest else None)
    target_text = f"{_sign(t.comparator)}{t.value or ''}"
    if t.norm_value is None or t.comparator not in LEVEL:
        why = (f"目标“{t.quote}”是变化幅度（{target_text}），不是可比的水平值" if t.norm_value is not None
               else f"目标“{t.quote}”没有数值")
        return StatusRow(**base, status=Status.qualitative, reason=why)
    if lexicon.indicator_entry(t.indicator_key).get("umbrella"):
        return StatusRow(**base, status=Status.qualitative, reason=(
            f"“{t.indicator_key}”涵盖多种口径（如“{t.indicator}”），观测值不与这一目标比较"))
    if latest is None:
        why = f"{doc.region}没有{t.indicator_key}的观测值"
        if unconverted:
            why += f"（{unconverted}条观测值的单位无法换算为{t.norm_unit}）"
        return StatusRow(**base, status=Status.no_data, reason=why)
    direction = _direction(t)
    tolerance = abs(t.norm_value) * lexicon.monitor().approx_tolerance if direction == "within" else None
    unit = t.norm_unit or ""
    met = _meets(latest.value, t.norm_value, t.comparator, direction, tolerance or 0.0)
    seen = f"{latest.year}年为{_fmt(latest.value)}{unit}"
    rule = (f"目标{_sign(t.comparator)}{_fmt(t.norm_value)}{unit}" if direction != "within"
            else f"目标{_fmt(t.norm_value)}{unit}±{_fmt(tolerance)}")
    slope = _trend(series)
    projected = None if slope is None else (
        sum(p.value for p in series) / len(series) + slope * (base["by_year"] - sum(p.year for p in series) / len(series)))
    extra = dict(direction=direction, tolerance=tolerance, trend_per_year=slope, projected_value=projected)
    if met:
        return StatusRow(**base, **extra, status=Status.met, reason=f"{seen}，{rule}（{base['by_year']}年），已达到")
    if projected is not None and latest.year < base["by_year"] and not _meets(
            projected, t.norm_value, t.comparator, direction, tolerance or 0.0):
        return StatusRow(**base, **extra, status=Status.at_risk, reason=(
            f"{seen}，{rule}（{base['by_year']}年），未达到；按{series[0].year}—{latest.year}年{len(series)}个观测值的趋势"
            f"（每年{_fmt(slope)}{unit}），{base['by_year']}年约为{_fmt(projected)}{unit}，仍达不到"))
    why = f"{seen}，{rule}（{base['by_year']}年），未达到"
    if projected is not None and latest.year < base["by_year"]:
        why += f"；按趋势{base['by_year']}年约为{_fmt(projected)}{unit}，可以达到"
    elif slope is None:
        why += "；只有一个观测值，无法判断趋势"
    return StatusRow(**base, **extra, status=Status.not_met, reason=why)


def statuses(targets: list[Target], observations: list[Observation], docs: list[DocMeta],
             clauses: list[Clause] | tuple = ()) -> list[StatusRow]:
    """One row per target of a monitored indicator (kind "target" with an indicator_key) of the given
    docs, in table order. Quantitative targets get met / not_met / at_risk / no_data; targets without
    a level to hold a figure against get qualitative. `clauses` only adds each row's clause label."""
    doc_of = {d.doc_id: d for d in docs}
    label_of = {c.clause_id: c.label for c in clauses}
    out = []
    for t in targets:
        if t.kind != "target" or not t.indicator_key or t.doc_id not in doc_of:
            continue
        region = doc_of[t.doc_id].region
        out.append(status_of(t, doc_of[t.doc_id], observations, label_of.get(t.clause_id)))
        # 义务教育就近入学率≥99% is also the bar for what the report observed of 小学 and 初中 separately
        for k in lexicon.narrower([t.indicator_key]):
            if any(o.indicator_key == k and o.region == region for o in observations):
                part = t.model_copy(update={"indicator_key": k})
                out.append(status_of(part, doc_of[t.doc_id], observations, label_of.get(t.clause_id)))
    return out


# ---- observations add -----------------------------------------------------------------------

@dataclass
class AddReport:
    read: ReadResult
    stored: bool  # False for a dry run, or when nothing could be stored
    new: int = 0
    replaced: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def add_observations(path: str | Path, store: ObservationStore, data: Ingested, dry_run: bool = False) -> AddReport:
    """Read a table and store its matched rows (all in one transaction); unmatched rows are reported
    by row number and stored nowhere. A dry run reads and reports only. `data`: the tables (docs and
    targets) rows are matched against."""
    read = read_observations(path, data.docs, data.targets)
    report = AddReport(read=read, stored=False, problems=read.problems)
    if not dry_run and read.observations:
        report.new, report.replaced = store.add(read.observations)
        report.stored = True
    return report


# ---- the 年度监测 table ------------------------------------------------------------------------

ANNUAL_COLUMNS = ["规划", "指标", "目标值", "实际值", "年份", "状态", "依据条款", "数据来源", "判断依据"]


def annual_rows(rows: list[StatusRow]) -> list[dict]:
    """The 年度监测 table staff hand in: 指标, 目标值, 实际值, 年份, 状态, 依据条款, 数据来源 (plus the
    plan and the reason)."""
    out = []
    for r in rows:
        target = f"{_sign(r.comparator)}{r.target_value or ''}"
        if r.target_year or r.by_year:
            target += f"（{r.by_year}年）"
        actual = ""
        if r.observed_value is not None:
            actual = r.observed_written or ""
            if r.observed_unit != r.target_unit or not actual:
                actual = f"{actual}（={_fmt(r.observed_value)}{r.target_unit or ''}）" if actual else _fmt(r.observed_value)
        out.append({"规划": r.plan, "指标": r.indicator_key, "目标值": target, "实际值": actual,
                    "年份": r.observed_year or "", "状态": r.status.label,
                    "依据条款": r.clause_label or r.clause_id, "数据来源": r.source or "", "判断依据": r.reason})
    return out


ANNUAL_WIDTHS = [14, 22, 16, 22, 8, 12, 36, 26, 60]  # characters per column of the Excel sheet, in ANNUAL_COLUMNS order


def write_annual_xlsx(table: list[dict], path: str | Path) -> None:
    """The 年度监测 table as an Excel sheet (assistant.sheets: header frozen, columns sized, atomic)."""
    write_xlsx(table, ANNUAL_COLUMNS, ANNUAL_WIDTHS, path, "年度监测")
