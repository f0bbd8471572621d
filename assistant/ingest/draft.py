"""Draft a manifest entry from a plan's own text: titles, region and level (jionlp's divisions via
assistant.places), period, issuer, issue date, document number, kind, and parts when one file holds
several plans. What the text does not say is left empty and named in `missing`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.ingest.unwrap import DATE_LINE, SIGNATURE_LINE, TITLE_LINE, paragraphs
from assistant.text import norm

NOTICE_PARAGRAPHS = 40  # the title, notice, signature and date stand in a plan's first paragraphs
PLAN_NAME = re.compile(r"《([^《》]{4,60}?(?:规划|纲要)(?:[（(][^（()）]{4,20}[）)])?)》")
PERIOD = re.compile(r"[（(]\s*(\d{4})\s*[—–\-－~～至]+\s*(\d{4})\s*年?\s*[）)]")
FIVE_YEAR = {"十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
YEAR = re.compile(r"(\d{4})\s*年")
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ISO_DATE = re.compile(r"(?:发布日期|成文日期|日期)[:：]?\s*(\d{4})-(\d{1,2})-(\d{1,2})")
DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,5}[发字函][〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,4}\s*号)")
DOC_NUMBER_LEAD = re.compile(r"^.*(?:字号|文件|文号)")  # the field name or letterhead in front of 西政发
ISSUER_FIELD = re.compile(r"(?:发文单位|发文机关)[:：]?\s*(\S+?(?:人民政府|委员会|办公室|办公厅))")
REQUIRED = ["titles", "short_name", "region", "level", "province", "period_start", "period_end", "issuer", "issue_date"]


@dataclass
class Draft:
    entry: dict
    missing: list[str] = field(default_factory=list)


def draft_entry(text: str, doc_id: str, file: str, find_places: Callable[[str], list]) -> Draft:
    """`find_places`: names of places in a text with level, parent and province (assistant.places;
    passed in because ingest sits below it)."""
    paras = paragraphs(text)
    head = paras[:NOTICE_PARAGRAPHS]
    flat = re.sub(r"\s+", "", "".join(head))
    titles = _titles(head, flat)
    kind = "work_summary" if titles and any("总结" in t for t in titles) and not any("规划" in t for t in titles) else "plan"
    entry: dict = {"doc_id": doc_id, "file": file, "titles": titles}
    place = _region(titles, flat, find_places)
    if place is not None:
        level = _level(place.full_name, place.level)
        entry.update(region=place.full_name, level=level, parent_region=place.parent, province=place.province,
                     region_aliases=_aliases(place))
        entry["short_name"] = f"{place.full_name}规划" if kind == "plan" else titles[0]
    start, end = _period(titles, flat, kind)
    entry.update(period_start=start, period_end=end)
    entry["issuer"] = _issuer(head, flat)
    entry["issue_date"] = _date(head, flat)
    m = DOC_NUMBER.search(flat)
    entry["doc_number"] = DOC_NUMBER_LEAD.sub("", re.sub(r"\s+", "", m.group(1))) if m else None
    entry["kind"] = kind
    parts = _parts(titles, paras)
    if parts:
        entry["parts"] = parts
    missing = [k for k in REQUIRED if entry.get(k) in (None, "", [])]
    return Draft(entry, missing)


def _titles(head: list[str], flat: str) -> list[str]:
    """The plans a notice issues (《…规划》), else the title lines at the top."""
    notice = flat.split("前言")[0]
    names = list(dict.fromkeys(m.group(1) for m in PLAN_NAME.finditer(notice)))
    if names:
        return names
    return [re.sub(r"\s+", "", p) for p in head if TITLE_LINE.match(p.strip())][:1]


def _region(titles: list[str], flat: str, find_places: Callable[[str], list]):
    """The most specific place the title names; the notice's places break ties (北京市 + 东城区)."""
    places = [p for t in titles for p in find_places(t)]
    if not places:
        places = find_places(flat[:200])
    if not places:
        return None
    rank = {"区": 0, "市": 1, "省": 2}
    return min(places, key=lambda p: rank.get(p.level, 3))


def _level(name: str, level: str) -> str:
    if level == "区":
        return "县" if name.endswith("县") else "区"
    if level == "省" and name.endswith("市"):
        return "市"  # a municipality (北京市) is a province-level city
    return level


def _aliases(place) -> list[str]:
    out = []
    short = re.sub(r"(自治县|区|县|市|省)$", "", place.full_name)
    if len(short) >= 2:
        out.append(short)
    if place.parent:
        out.append(f"{place.parent}{place.full_name}")
    return out


def _period(titles: list[str], flat: str, kind: str) -> tuple[int | None, int | None]:
    if kind == "work_summary":  # a report's years are in its title (2018年工作总结和2019年工作思路)
        years = [int(y) for t in titles for y in YEAR.findall(t)]
        if years:
            return min(years), max(years)
    for t in titles + [flat[:400]]:
        if m := PERIOD.search(t):
            return int(m.group(1)), int(m.group(2))
        for word, span in FIVE_YEAR.items():
            if word in t:
                return span
    return None, None


def _issuer(head: list[str], flat: str) -> str | None:
    """The signature above the notice's date, else a 发文单位 field."""
    for i, p in enumerate(head):
        if DATE_LINE.match(p.strip()) and i > 0 and SIGNATURE_LINE.match(head[i - 1].strip()):
            return re.sub(r"\s+", "", head[i - 1])
    if m := ISSUER_FIELD.search(flat):
        return m.group(1)
    sigs = [re.sub(r"\s+", "", p) for p in head if SIGNATURE_LINE.match(p.strip())]
    return sigs[0] if sigs else None


def _date(head: list[str], flat: str) -> str | None:
    for p in head:
        if DATE_LINE.match(p.strip()):
            y, m, d = DATE.search(p).groups()
            return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"
    if m := ISO_DATE.search(flat):
        y, mo, d = m.groups()
        return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
    return None


def _parts(titles: list[str], paras: list[str]) -> list[dict]:
    """Several plans in one file: each title that stands as a line of its own starts a part."""
    if len(titles) < 2:
        return []
    lines = {norm(p) for p in paras}
    parts = []
    for t in titles:
        if norm(t) in lines:
            pop = "妇女" if "妇女" in t and "儿童" not in t else "儿童" if "儿童" in t and "妇女" not in t else "综合"
            parts.append({"title": t, "part": pop, "population": pop})
    return parts if len(parts) == len(titles) else []
