"""Chinese place names the corpus may not hold (海淀区、黄浦区、南京市、随州市), with their parents.

The names and their hierarchy come from jionlp's table of China's administrative divisions
(offline, shipped in the package), so a district the corpus lacks is recognised as a place,
not read as a topic word, and not answered from another district's plan. Which aliases count
is set in assistant/lexicon/places.yaml."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache

from assistant import lexicon
from assistant.text import norm

log = logging.getLogger(__name__)
MIN_ALIAS = 2  # a one-character alias (京) is never a place in a question
TAG_TIMEOUT_S = 120


@dataclass(frozen=True)
class Place:
    name: str  # as matched in the text
    full_name: str  # 海淀区
    level: str  # 省 / 市 / 区
    parent: str | None  # 北京市 for 海淀区
    province: str


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, Place], dict[str, Place]]:
    """(full names, aliases) -> Place."""
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):  # jionlp prints a banner
        try:
            import jionlp
        except ImportError:  # pragma: no cover - a dependency of the project
            log.warning("jionlp is not installed: places outside the corpus are not recognised")
            return {}, {}
        table = jionlp.china_location_loader(detail=False)  # provinces, cities, counties: what is used here
    never = set(lexicon.load("places")["never"])
    full: dict[str, Place] = {}
    alias: dict[str, Place] = {}

    def add(p: Place, aliases) -> None:
        if p.full_name not in never:
            full.setdefault(norm(p.full_name), p)
        for a in [aliases] if isinstance(aliases, str) else (aliases or []):
            if len(a) >= MIN_ALIAS and a not in never and a != p.full_name:
                alias.setdefault(norm(a), p)

    for prov, pd in table.items():
        add(Place(prov, pd["_full_name"], "省", None, pd["_full_name"]), pd.get("_alias"))
        for city, cd in pd.items():
            if city.startswith("_"):
                continue
            add(Place(city, cd["_full_name"], "市", pd["_full_name"], pd["_full_name"]), cd.get("_alias"))
            for county, kd in cd.items():
                if county.startswith("_") or not isinstance(kd, dict):
                    continue
                add(Place(county, kd["_full_name"], "区", cd["_full_name"], pd["_full_name"]), kd.get("_alias"))
    return full, alias


# jieba's part-of-speech tagging of one alias at a time: run in a child process over every alias of the table
# (jieba.posseg's dictionary and tables are ~45 MB that a long-running app would otherwise hold for good)
# (the child applies _tagged_word, the same test the fallback applies in process)
_TAG_WORDS = """
import json, logging, sys
import jieba
from assistant.places import _tagged_word
jieba.setLogLevel(logging.WARNING)
tags = set(json.loads(sys.argv[1]))
json.dump([w for w in json.load(sys.stdin) if _tagged_word(w, tags)], sys.stdout)
"""


def _tagged_word(alias: str, tags: set[str]) -> bool:
    """jieba cuts the alias as one word with a tag of these (an adjective, verb…)."""
    import jieba.posseg

    cut = list(jieba.posseg.cut(alias))
    return len(cut) == 1 and cut[0].flag in tags


@lru_cache(maxsize=1)
def _alias_words() -> frozenset[str] | None:
    """The table's aliases that jieba tags as ordinary words, tagged in a child process (None: it failed)."""
    tags = sorted(lexicon.load("places")["alias_word_tags"])
    try:
        out = subprocess.run([sys.executable, "-c", _TAG_WORDS, json.dumps(tags)], input=json.dumps(sorted(_table()[1])),
                             capture_output=True, text=True, check=True, timeout=TAG_TIMEOUT_S)
        return frozenset(json.loads(out.stdout))
    except (OSError, subprocess.SubprocessError, ValueError) as e:
        log.warning("tagging place aliases in a child process failed (%s): tagging in this process", e)
        return None


@lru_cache(maxsize=4096)
def _is_word(alias: str) -> bool:
    """An alias jieba tags as an adjective, verb… (友好, 合作, 振兴) is an ordinary word."""
    words = _alias_words() if alias in _table()[1] else None
    if words is None:
        return _tagged_word(alias, set(lexicon.load("places")["alias_word_tags"]))
    return alias in words


def find_places(text: str) -> list[Place]:
    """Places named in `text` (normalised), longest names first, in text order, no overlaps."""
    full, alias = _table()
    if not full:
        return []
    lex = lexicon.load("places")
    after = lex["alias_followed_by"]
    t = norm(text)
    taken = [False] * len(t)
    found: list[tuple[int, Place]] = []
    longest = max(len(n) for n in full)
    for size in range(min(longest, len(t)), MIN_ALIAS - 1, -1):
        for i in range(len(t) - size + 1):
            if any(taken[i : i + size]):
                continue
            w = t[i : i + size]
            p = full.get(w)
            if p is None and (a := alias.get(w)) is not None:
                rest = t[i + size :]
                # a province-level short name (上海每千人口…) stands alone; a shorter unit's needs a marker
                if (not rest or rest.startswith(tuple(after)) or a.level == "省") and not _is_word(w):
                    p = a
            if p is not None:
                for j in range(i, i + size):
                    taken[j] = True
                found.append((i, Place(w, p.full_name, p.level, p.parent, p.province)))
    return [p for _, p in sorted(found, key=lambda x: x[0])]
