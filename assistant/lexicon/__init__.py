"""Domain vocabulary loaded from the YAML files beside this module."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.text import norm

HERE = Path(__file__).parent
POPULATION_PREFIX = re.compile(r"^(妇女与|儿童与|妇女|儿童)")


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    """A vocabulary file, checked against its schema (assistant/lexicon/schema.py)."""
    from assistant.lexicon.schema import SCHEMAS

    path = HERE / f"{name}.yaml"
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    try:
        return SCHEMAS[name].model_validate(raw).model_dump()
    except ValueError as e:
        raise ValueError(f"{path.name}: {e}") from None


def population_of(name: str) -> str | None:
    n = norm(name)
    if n.startswith("妇女"):
        return "妇女"
    if n.startswith("儿童"):
        return "儿童"
    return None


def domain_key(name: str) -> str | None:
    """Canonical domain key of a heading such as 妇女与健康 or 儿童安全; None if not a domain."""
    n = norm(name)
    if population_of(n) is None:
        return None
    rest = POPULATION_PREFIX.sub("", n)
    for d in load("domains")["domains"]:
        if rest in d["names"]:
            return d["key"]
    return None


def section_key(heading: str) -> str | None:
    """Section named at the start of a heading (指导思想、基本原则和总体目标 -> 指导思想)."""
    n = norm(heading).rstrip(":：")
    for s in load("sections")["sections"]:
        for name in s["names"]:
            if n.startswith(name):
                return s["key"]
    return None


def marker_section(line: str) -> str | None:
    """A line that is only a section marker (主要目标 / 主要目标: / 策略措施)."""
    n = norm(line).rstrip(":：")
    for s in load("sections")["sections"]:
        if n in s["names"] and (s.get("marker") or n == s["key"]):
            return s["key"]
    return None


def special_section(which: str) -> str:
    return load("sections")[which]


BRACKETS = re.compile(r"[()（）]")


def plain(text: str) -> str:
    """Indicator names match with 的 and brackets ignored: 拥有的床位数 is 拥有床位数, 儿科执业助理医生 is
    the plan's 儿科执业(助理)医生."""
    return BRACKETS.sub("", norm(text).replace("的", ""))


def names_of(keys) -> list[str]:
    """Every name and alias of these indicator keys (plain, as indicator_names gives them)."""
    keys = set(keys)
    return [n for n, k in indicator_names() if k in keys]


@lru_cache(maxsize=1)
def domain_names() -> list[str]:
    """Every way the lexicon writes a domain (决策和管理, 社会保障…), the longest first."""
    return sorted({n for d in load("domains")["domains"] for n in d["names"]}, key=lambda n: (-len(n), n))


def indicator_names() -> list[tuple[str, str]]:
    """(name, key) of every indicator name and alias, the longest first."""
    pairs = {(plain(n), d["key"]) for d in load("indicators")["indicators"] for n in [d["key"], *d["names"]]}
    return sorted(pairs, key=lambda p: (-len(p[0]), p))  # ties broken by name: same result every run


def indicator_key(text: str) -> str | None:
    """Canonical key of the longest lexicon name inside `text`."""
    n = plain(text)
    return next((key for name, key in indicator_names() if name in n), None)


def plan_periods() -> str:
    """A regex alternation of the five-year plan periods (十一五|十二五|…), from questions.yaml."""
    return "|".join(load("questions")["five_year_plans"])


def narrower(keys: list[str]) -> list[str]:
    """The keys measured for parts of the population under these keys (indicators.yaml `narrower`)."""
    return [k for key in keys for k in indicator_entry(key).get("narrower", []) if k not in keys]


def broader(keys: list[str]) -> list[str]:
    """The keys whose `narrower` list holds one of these (小学就近入学率 -> 义务教育就近入学率)."""
    return [d["key"] for d in load("indicators")["indicators"] if set(d.get("narrower", [])) & set(keys)]


QUALIFIER = 2  # 小学生近视率 is named 小学 in 分小学初中高中: a qualifier's first characters name it


def narrower_named(keys: list[str], text: str) -> list[str]:
    """Narrower indicators of these keys (or siblings of a narrower one) that the text names by what
    sets them apart: 分小学初中高中 after 近视率 -> 小学生/初中生/高中生近视率; 初中高中呢 after
    小学生近视率 -> 初中生/高中生近视率. The qualifier is a family member's name before the tail the
    family shares."""
    out: list[str] = []
    for key in keys:
        family = indicator_entry(key).get("narrower") or \
            [k for b in broader([key]) for k in indicator_entry(b).get("narrower", [])]
        if len(family) < 2:
            continue
        tail = len(os.path.commonprefix([k[::-1] for k in family]))
        out += [k for k in family if (q := k[: len(k) - tail]) and q[:QUALIFIER] in text]
    return list(dict.fromkeys(out))


def indicator_entry(key: str | None) -> dict:
    """The indicators.yaml entry of a key (better: lower / higher; umbrella: several measures); {} if none."""
    return next((d for d in load("indicators")["indicators"] if d["key"] == key), {})


@lru_cache(maxsize=1)
def monitor():
    """monitor.yaml as its schema's model (MonitorVocab)."""
    from assistant.lexicon.schema import MonitorVocab

    return MonitorVocab.model_validate(load("monitor"))
