"""Typed records that cross module boundaries."""

from __future__ import annotations

import datetime as _dt
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

def problems(e: ValidationError, most: int | None = None) -> str:
    """A pydantic error as one line: 'field.sub: message; ...' (what a user is shown)."""
    return "; ".join(f"{'.'.join(map(str, x['loc'])) or 'value'}: {x['msg']}" for x in e.errors()[:most])


Comparator = Literal["<=", ">=", "<", ">", "=", "≈", "increase", "decrease", "maintain", "achieve"]
OwnerSource = Literal["text", "assignment", "plan"]
ObservationOrigin = Literal["user", "corpus"]


class PartSpec(BaseModel):
    """A plan bound inside a file (one file may hold the 妇女 and the 儿童 plan)."""

    title: str
    part: str  # 妇女 / 儿童 / 综合, or a named part of a report
    population: str = "综合"


class DocMeta(BaseModel):
    """One manifest entry: a plan text and what it is."""

    doc_id: str = Field(pattern=r"^[a-z0-9_]+$")
    file: str
    titles: list[str] = Field(min_length=1)
    short_name: str  # 东城区规划: how a label names the plan
    region: str
    region_aliases: list[str] = []
    level: Literal["省", "市", "区", "县"]
    parent_region: str | None = None
    province: str
    period_start: int
    period_end: int
    issuer: str
    issue_date: str  # ISO date
    doc_number: str | None = None
    kind: Literal["plan", "work_summary"] = "plan"
    parts: list[PartSpec] = []

    @field_validator("issue_date", mode="before")
    @classmethod
    def _iso_date(cls, v):
        """YAML reads an unquoted 2021-12-30 as a date: accept it as the ISO string it means."""
        return v.isoformat() if isinstance(v, _dt.date) else v

    def covers(self, year: int) -> bool:
        """The year lies in the document's period (a plan's 2021–2025, a report's 2018–2019)."""
        return self.period_start <= year <= self.period_end


class Observation(BaseModel):
    """One observed value of an indicator in a region and year, with where it comes from."""

    region: str  # the manifest's region name: 东城区
    indicator_key: str  # canonical (assistant/lexicon/indicators.yaml)
    indicator: str  # as written in the table or the clause
    year: int
    value: float
    unit: str | None  # as target rows write units: /10万, ‰, %
    written: str  # the value and unit as given: 5.2 1/10万, 16.5%
    source: str  # 数据来源 as given, or the label of the clause it is read from
    origin: ObservationOrigin = "user"
    doc_id: str | None = None  # corpus observations: the document and clause that state them
    clause_id: str | None = None
    added: str | None = None  # ISO time a user row was stored


class Clause(BaseModel):
    """One citable unit: a numbered item, or a paragraph where the text numbers none."""

    doc_id: str
    clause_id: str
    label: str
    part: str
    population: str  # 妇女 / 儿童 / 综合
    domain: str | None = None  # as written, e.g. 妇女与健康
    domain_key: str | None = None  # canonical, e.g. 健康
    section: str
    clause_no: int
    title: str | None = None  # lead-in sentence of a measure: 保障生育全程安全。
    text: str  # original words, PDF wrapping undone
    order: int  # position in the document
    page: int | None = None  # PDF page the clause starts on (None for texts without pages)


class Target(BaseModel):
    """One target statement: indicator x value x year."""

    doc_id: str
    clause_id: str
    population: str
    domain: str | None
    domain_key: str | None
    section: str
    indicator: str
    indicator_key: str | None
    comparator: Comparator
    value: str | None  # as written: 7/10万, 万分之一, 全覆盖
    value_num: float | None
    unit: str | None
    norm_value: float | None  # comparable figure: 万分之一 -> 10 (/10万)
    norm_unit: str | None
    year: int | None
    baseline: str | None = None
    owner: str | None = None
    owner_source: OwnerSource | None = None
    owner_quote: str | None = None
    owner_clause_id: str | None = None
    quote: str
    # target: a plan's goal or bound; achieved: what was reached (发展基础, a work report's results);
    # measure: a figure inside a 策略措施 that sets no direction (校园出入口两侧50米); fact: any other
    # figure of a document (census population, a meeting's 36个成员单位, 组织实施's 12月底)
    kind: Literal["target", "achieved", "measure", "fact"] = "target"


class Citation(BaseModel):
    doc_id: str
    clause_id: str
    label: str
    quote: str


class Count(BaseModel):
    """A number an answer derives by counting clauses (主要目标58条): the clauses it counted."""

    value: int
    clause_ids: list[str]


class Difference(BaseModel):
    """A gap an answer derives from two figures it shows (离目标还差0.5): checked by the guard."""

    value: float
    minuend: float
    subtrahend: float


class Answer(BaseModel):
    answer: str
    answerable: bool
    citations: list[Citation] = []
    targets: list[Target] = []
    counts: list[Count] = []
    observed: list[Observation] = []  # observed values a monitoring answer shows, with their sources
    differences: list[Difference] = []
    intent: str


def group_citations(citations: list) -> list[tuple[Citation, list[str]]]:
    """One entry per clause, in first-cited order, with every distinct quote cited from it
    (citations as models or as their dicts, e.g. from the feedback store)."""
    out: dict[str, tuple[Citation, list[str]]] = {}
    for c in citations:
        c = c if isinstance(c, Citation) else Citation.model_validate(c)
        entry = out.setdefault(c.clause_id, (c, []))
        if c.quote and c.quote not in entry[1]:
            entry[1].append(c.quote)
    return list(out.values())


def citation_lines(citations: list) -> list[str]:
    """「quote」〔label〕 per clause cited (quotes from one clause joined by …): how a report cites."""
    return [f"「{'…'.join(quotes) or c.label}」〔{c.label}〕" for c, quotes in group_citations(citations)]
