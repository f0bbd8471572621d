"""Turn clause text into typed target rows (indicator x value x year).

Works on the normalised text (NFKC, no whitespace) and maps every quote and value back to
the clause's original words. Vocabulary lives in assistant/lexicon/comparators.yaml and
indicators.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant import lexicon
from assistant.lexicon import indicator_key
from assistant.models import Clause, DocMeta, Target
from assistant.text import NormMap, cn_number, norm

# Sections whose figures are plan targets, and those whose figures are achievements.
TARGET_SECTIONS = {"主要目标", "策略措施", "总体目标", "发展目标"}
ACHIEVED_SECTIONS = {"发展基础", "面临形势"}
# A measure noun ends an indicator name; in a 分别/均 list it is shared by the earlier items.
MEASURE_NOUNS = sorted(
    "死亡率 患病率 发生率 检出率 覆盖率 筛查率 接种率 检测率 服务率 管理率 合格率 达标率 巩固率 入学率 入园率 "
    "普及率 参保率 优良率 比例 比重 人数 数量 率 数".split(),
    key=len,
    reverse=True,
)
LEAD_FILLER = re.compile(r"^(?:到|至|截至)?(?:20\d\d年(?:底|末)?(?:和|、)?)+|^(?:确保|力争|并|其中|同时|全面|进一步|使)+")
YEAR = re.compile(r"(?<![\d.])(20\d\d)年")
BASELINE = re.compile(r"(?:在(?:19|20)\d\d年(?:的)?基础上|以(?:19|20)\d\d年为基数)[^，。；]*")
TRAILING_FILLER = re.compile(r"(?:达到并|并|和|及|且|要)+$")
LIST_SEP = re.compile(r"[、和及与]")
CLAUSE_NO = re.compile(r"^(?:\d{1,2}[.．]|[（(][一二三四五六七八九十]*[）)])")
SHORT = 3  # an indicator shorter than this is a leftover word, not a name
PER_PREFIX = re.compile(r"^每[千万百十]?[名人个户][\u4e00-\u9fff]{1,4}?(?:拥有|配备)")  # 每千名儿童拥有
QUALIFIERS = "余|多|万"  # between a figure and its unit: 4000余个, 5万余名 is read as 5万 + 余名 (110.6万人)


@dataclass(frozen=True)
class _Value:
    start: int
    end: int
    written: str  # normalised text of the value
    num: float | None
    unit: str | None
    norm_num: float | None
    norm_unit: str | None


@lru_cache(maxsize=1)
def _patterns():
    lex = lexicon.load("comparators")
    units = sorted(lex["units"], key=len, reverse=True)
    unit_re = "|".join(re.escape(u) for u in units)
    numeric = re.compile(rf"(?<![\d.第])(\d+(?:\.\d+)?)((?:{QUALIFIERS})?(?:{unit_re}))(?!月)")
    fracs = sorted(lex["fractions"], key=len, reverse=True)
    words = re.compile(rf"({'|'.join(fracs)})([零一二两三四五六七八九十百]+)")
    before = sorted(((w, c) for c, ws in lex["before"].items() for w in ws), key=lambda x: -len(x[0]))
    before_re = re.compile("|".join(re.escape(w) for w, _ in before))
    before_map = dict(before)
    after = {w: c for c, ws in lex["after"].items() for w in ws}
    quals = sorted(((w, c) for c, ws in lex["qualitative"].items() for w in ws), key=lambda x: -len(x[0]))
    radius = re.compile(rf"(\d+)分钟([^，,。；“”\"]{{0,8}}?){lex['radius']}")
    return numeric, words, before_re, before_map, after, quals, radius, lex["fractions"]


def _values(phrase: str) -> list[_Value]:
    numeric, words, *_, fractions = _patterns()
    found: list[_Value] = []
    for m in numeric.finditer(phrase):
        num, unit = float(m.group(1)), m.group(2)
        if unit == "年" and num >= 1900:
            continue
        nnum, nunit = num, unit
        if unit == "/10万":
            nunit = "/10万"
        found.append(_Value(m.start(), m.end(), m.group(0), num, unit, nnum, nunit))
    for m in words.finditer(phrase):
        k = cn_number(m.group(2))
        if k is None:
            continue
        denom = fractions[m.group(1)]
        if denom == 100:
            found.append(_Value(m.start(), m.end(), m.group(0), k, "%", k, "%"))
        else:
            # express per-10万 so that 万分之一 and 7/10万 compare directly
            unit = f"/{_denom_name(denom)}"
            found.append(_Value(m.start(), m.end(), m.group(0), k, unit, convert(k, unit, "/10万"), "/10万"))
    # 不少于一家: a small count in words, only right after a bound
    for m in re.finditer(r"(?:不少于|至少|不低于|达到|增至)([一两二三四五六七八九十]{1,3})(家|所|名|个|张|次|项)", phrase):
        if (k := cn_number(m.group(1))) is not None:
            found.append(_Value(m.start(1), m.end(2), m.group(1) + m.group(2), float(k), m.group(2), float(k), m.group(2)))
    for word, (num, unit) in _patterns_word_values().items():
        for m in re.finditer(re.escape(word), phrase):
            found.append(_Value(m.start(), m.end(), word, float(num), unit, float(num), unit))
    found.sort(key=lambda v: v.start)
    return found


@lru_cache(maxsize=1)
def _patterns_word_values() -> dict[str, list]:
    return lexicon.load("comparators").get("word_values", {})


def _denom_name(d: int) -> str:
    return {1000: "千", 10000: "万", 100000: "10万"}.get(d, str(d))


# ---- values and units as other modules read them (observed values use the targets' reading) ----

def rate_per(unit: str | None) -> int | None:
    """The whole a rate unit counts per: % -> 100, ‰ -> 1000, /10万 -> 100000; None for other units."""
    return lexicon.load("comparators")["rate_units"].get(unit) if unit else None


def convert(num: float, unit: str | None, to_unit: str | None) -> float | None:
    """`num` in `unit` expressed in `to_unit`: unchanged for the same unit, scaled between rates
    (万分之一 = 10/10万 = 0.1‰), None when the two do not convert (% and 名, or a missing unit)."""
    if unit == to_unit:
        return num
    per, to_per = rate_per(unit), rate_per(to_unit)
    if per is None or to_per is None:
        return None
    return num * to_per / per


def unit_of(written: str) -> str | None:
    """A written unit in the form target rows use: 1/10万, 每10万, 十万分之 -> /10万; 千分之 -> ‰;
    ％ -> %; a target unit (名, 张, 个百分点) as itself; None when it is none of these."""
    lex = lexicon.load("comparators")
    n = norm(written)
    n = re.sub(r"^1(?=/)", "", n)  # 1/10万: one per 100,000
    n = re.sub(r"^每", "/", n)  # 每10万
    if n in lex["rate_units"] or n in lex["units"]:
        return n
    frac = n.removesuffix("一")  # 万分之一 as a unit: counted per 10,000
    if frac in lex["fractions"]:
        per = lex["fractions"][frac]
        return next(u for u, d in lex["rate_units"].items() if d == per)
    return None


def read_value(written: str) -> tuple[float, str | None] | None:
    """(figure, unit) of a written value read as target values are (7/10万, 万分之一, 16.5%), or a
    bare number with no unit; None when the text is neither."""
    n = norm(written)
    found = [v for v in _values(n) if v.num is not None]
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(n):
        return found[0].num, found[0].unit
    try:
        return float(n), None
    except ValueError:
        return None


def _suffix_word(rest: str, table: dict[str, str]) -> str | None:
    for w in sorted(table, key=len, reverse=True):
        if rest.startswith(w):
            return table[w]
    return None


def _clean_indicator(text: str) -> str:
    text = text.strip("，,、：:；; ")
    prev = None
    while prev != text:
        prev = text
        text = TRAILING_FILLER.sub("", LEAD_FILLER.sub("", text)).strip("，,、：:；; ")
    return text


def _split_items(indicator: str, n: int) -> list[str]:
    """新生儿、婴儿和5岁以下儿童死亡率 (3 values) -> 新生儿死亡率, 婴儿死亡率, 5岁以下儿童死亡率."""
    items = [i for i in LIST_SEP.split(indicator) if i]
    if len(items) != n:
        return [indicator] * n
    last = items[-1]
    noun = next((s for s in MEASURE_NOUNS if last.endswith(s)), "")
    return [i if any(i.endswith(s) for s in MEASURE_NOUNS) else i + noun for i in items]


def _segments(phrase: str, values: list[_Value], off: int, s: "_Sentence", nm: NormMap, kind: str,
              after_map: dict[str, str]) -> list[Target]:
    """医生达到1.12名、床位增至3.17张: each value with the words just before it."""
    rows: list[Target] = []
    start = 0
    for i, v in enumerate(values):
        end = len(phrase) if i == len(values) - 1 else v.end
        if i < len(values) - 1:
            after = next((w for w in sorted(after_map, key=len, reverse=True) if phrase[v.end :].startswith(w)), "")
            end += len(after)
        seg = phrase[start:end]
        rows.extend(_phrase_rows(seg, off + start, s, nm, kind, inherit=rows[-1].indicator if rows else None))
        start = end
    return rows


def _suffix_tail(tail: str, after_map: dict[str, str]) -> str:
    for w in sorted(after_map, key=len, reverse=True):
        if tail.startswith(w):
            return tail[len(w) :]
    return tail


def _shared_value_items(indicator: str) -> list[str]:
    """Items of "A率和B率" when each is a whole indicator name; else []."""
    items = [i for i in re.split(r"和|、", indicator) if i]
    if len(items) > 1 and all(len(i) >= 4 and i.endswith(tuple(MEASURE_NOUNS)) and indicator_key(i) for i in items):
        return items
    return []


def _comparator_for(value: _Value, verb: str | None, after: str | None) -> str:
    _, _, _, before_map, *_ = _patterns()
    if verb and before_map[verb] in ("decrease", "increase"):
        return before_map[verb]  # 每年降低1个百分点以上: the step, not a bound
    if after:
        return after
    if value.unit == "%" and value.num == 100:
        return "="
    if verb:
        return before_map[verb]
    return "="


class _Sentence:
    def __init__(self, text: str, clause: Clause, meta: DocMeta):
        self.text = text
        self.clause = clause
        self.meta = meta
        years = [int(y) for y in YEAR.findall(BASELINE.sub("", text))]
        self.years = [y for y in years if meta.period_start < y <= meta.period_end + 10]
        b = BASELINE.search(text)
        self.baseline = b.group(0) if b else None


def extract(clause: Clause, meta: DocMeta) -> list[Target]:
    """Every quantitative statement of one clause: target statements (with their direction, values
    in words, two-year clauses…) where the section sets targets, achieved figures where it reports
    them, and — so that no figure of the text is missing from the table — every other figure with a
    unit as a plain row (kind measure in 策略措施, fact elsewhere)."""
    if clause.section in ACHIEVED_SECTIONS or (
            meta.kind == "work_summary" and any(w in clause.part for w in lexicon.special_section("achieved_parts"))):
        kind = "achieved"
    elif clause.section in TARGET_SECTIONS and meta.kind == "plan":
        kind = "target"
    else:
        kind = "fact"
    nm = NormMap.of(clause.text)
    lead = CLAUSE_NO.match(nm.text)
    pos = lead.end() if lead else 0
    body = nm.text[pos:]
    rows: list[Target] = []
    plain: list[Target] = []
    for sent in re.split(r"(?<=[。；;！？])", body):
        if not sent:
            continue
        s = _Sentence(sent, clause, meta)
        off = pos
        in_sentence: list[Target] = []
        for phrase in re.split(r"(?<=[，,：:])", sent):
            found = _phrase_rows(phrase, off, s, nm, kind) if kind != "fact" else []
            rows.extend(found)
            others = _plain_rows(phrase, off, s, nm, kind, found)
            plain.extend(others)
            in_sentence.extend(found + others)
            off += len(phrase)
        if kind == "achieved" and (stated := _earlier_target(in_sentence)) is not None:
            rows += _reached_against(stated, in_sentence)
            plain = [t for t in plain if t is not stated]
        pos += len(sent)
    return rows + plain


@lru_cache(maxsize=1)
def _earlier_target_pattern() -> re.Pattern:
    """均超过“十三五”规划目标的30%: a period's target, the periods from the lexicon."""
    return re.compile(f"“?({lexicon.plan_periods()})”?(?:规划)?(?:的)?目标")


def _earlier_target(in_sentence: list[Target]) -> Target | None:
    """The row of a 发展基础 sentence that states an earlier plan's target (均超过“十三五”规划目标的30%)."""
    return next((t for t in in_sentence if _earlier_target_pattern().search(norm(t.quote)) and t.value_num is not None), None)


def _reached_against(stated: Target, in_sentence: list[Target]) -> list[Target]:
    """发展基础: "A达到49.9%，B达到34.22%，均超过“十三五”规划目标的30%" states the earlier plan's
    target for A and B (30%, by 2020), not a figure of its own: a target row per figure reached
    (same unit), so that a status can set what was reached against it."""
    year = lexicon.load("questions")["five_year_plans"].get(_earlier_target_pattern().search(norm(stated.quote)).group(1))
    return [t.model_copy(update={
        "kind": "target", "comparator": ">=", "value": stated.value, "value_num": stated.value_num, "unit": stated.unit,
        "norm_value": stated.norm_value, "norm_unit": stated.norm_unit, "year": year, "quote": stated.quote})
        for t in in_sentence if t is not stated and t.norm_unit == stated.norm_unit and t.value_num is not None]


def _plain_rows(phrase: str, off: int, s: "_Sentence", nm: NormMap, kind: str, found: list[Target]) -> list[Target]:
    """The figures of a phrase that no target row states: each a row of its own, its indicator the
    words before it (学校周边…50米, 全市4000余个“母婴关爱室”)."""
    taken = {norm(t.value) for t in found if t.value}
    plain_kind = {"target": "measure" if s.clause.section == "策略措施" else "target"}.get(kind, kind)
    out = []
    for v in _values(phrase):
        if norm(v.written) in taken:
            continue
        name = _clean_indicator(phrase[: v.start]) or _clean_indicator(phrase[v.end :].rstrip("。；，,")) or v.written
        out.append(_row(s, nm, plain_kind, name, "=", v, s.years[0] if len(s.years) == 1 else None, off, phrase))
    return out


def _phrase_rows(phrase: str, off: int, s: _Sentence, nm: NormMap, kind: str, inherit: str | None = None) -> list[Target]:
    numeric, words, before_re, before_map, after_map, quals, radius, _ = _patterns()
    out: list[Target] = []
    if m := radius.search(phrase):
        v = _Value(m.start(), m.start() + len(m.group(1)) + 2, m.group(1) + "分钟", float(m.group(1)), "分钟", float(m.group(1)), "分钟")
        name = _clean_indicator(m.group(2) + "圈")
        out.append(_row(s, nm, kind, m.group(0), "<=", v, None, off, phrase, indicator_name=name))
        return out
    values = _values(phrase)
    if values:
        verbs = list(before_re.finditer(phrase))
        first = values[0]
        verb = next((v for v in reversed(verbs) if v.end() <= first.start), None)
        ind_end = verb.start() if verb else first.start
        head = phrase[:ind_end]
        respectively = "分别" in head or "均" in head[-2:]
        if not respectively and len(values) > 1:
            return _segments(phrase, values, off, s, nm, kind, after_map)
        head = BASELINE.sub("", head.replace("分别", "")).rstrip("均")
        indicator = _clean_indicator(head.removesuffix("每年"))
        tail = re.split(r"[，,。；;：:]", phrase[values[-1].end :], maxsplit=1)[0]
        tail = _suffix_tail(tail, after_map)
        if indicator and tail and not indicator.endswith(tuple(MEASURE_NOUNS)) and not respectively:
            indicator = f"{indicator}…{tail}"  # 社区卫生服务中心至少配备2名专职从事儿童保健的医生
        indicator = indicator or (inherit or "")
        if not indicator:
            return out
        if inherit and not indicator_key(indicator) and (m := PER_PREFIX.match(inherit)) and not PER_PREFIX.match(indicator):
            indicator = m.group(0) + indicator  # 每千名儿童拥有…医生1.12名、床位3.17张: the 床位 are per 1,000 children too
        afters = [_suffix_word(phrase[v.end :], after_map) for v in values]
        last_after = next((a for a in reversed(afters) if a), None)
        if respectively and len(values) > 1:
            names = _split_items(indicator, len(values))
            years: list[int | None] = [None] * len(values)
            if len(set(names)) == 1 and len(s.years) == len(values):
                years = list(s.years)
        elif respectively and "均" in phrase[: first.start]:
            names = _split_items(indicator, len([i for i in LIST_SEP.split(indicator) if i]))
            values = values[:1] * len(names)
            afters = afters[:1] * len(names)
            years = [s.years[0] if len(s.years) == 1 else None] * len(names)
        elif len(values) == 1 and len(items := _shared_value_items(indicator)) > 1:
            # 3岁以下儿童系统管理率和7岁以下儿童健康管理率保持在90%以上: one figure, two indicators
            names, values, afters = items, values * len(items), afters * len(items)
            years = [s.years[0] if len(s.years) == 1 else None] * len(items)
        else:
            names = [indicator] * len(values)
            years = [s.years[0] if len(s.years) == 1 else None] * len(values)
        full = first.unit == "%" and first.num == 100
        has_direction = verb is not None or any(afters) or full or s.clause.section == "主要目标"
        if not has_direction:
            return out
        for name, v, after, year in zip(names, values, afters, years):
            comp = _comparator_for(v, verb.group(0) if verb else None, after or (last_after if respectively else None))
            out.append(_row(s, nm, kind, name, comp, v, year, off, phrase))
        return out
    if kind == "target":
        hits = [(i, -len(w), w, c) for w, c in quals if (i := _find_word(phrase, w)) >= 0]
        for i, _, word, comp in sorted(hits)[:1]:
            if comp != "achieve" and s.clause.section != "主要目标":
                break
            indicator = _clean_indicator(phrase[:i].removeprefix("实现").rstrip("实现并"))
            rest = _clean_indicator(phrase[i + len(word) :].rstrip("。；，,"))
            if len(indicator) < SHORT:  # 提高妇女…/持续增加…: the object follows the verb
                indicator = rest
            elif comp == "achieve" and rest and not rest.startswith("并"):
                indicator += rest  # 街道全部配备儿童督导员 -> 街道配备儿童督导员
            if not indicator:
                break
            value = word if comp == "achieve" else None
            v = _Value(i, i + len(word), word, None, None, None, None) if value else None
            out.append(_row(s, nm, kind, indicator, comp, v, s.years[0] if len(s.years) == 1 else None, off, phrase))
            break
    return out


def _row(s: _Sentence, nm: NormMap, kind: str, indicator: str, comp: str, v: _Value | None, year, off: int,
         phrase: str, indicator_name: str | None = None) -> Target:
    c = s.clause
    quote_norm = phrase.rstrip("，,：:。；;")
    qs, qe = nm.span(off, off + len(quote_norm))
    written = None
    if v is not None:
        vs, ve = nm.span(off + v.start, off + v.end)
        written = nm.original[vs:ve]
    name = indicator_name or indicator
    return Target(
        doc_id=c.doc_id,
        clause_id=c.clause_id,
        population=c.population,
        domain=c.domain,
        domain_key=c.domain_key,
        section=c.section,
        indicator=name,
        indicator_key=indicator_key(name),
        comparator=comp,
        value=written,
        value_num=v.num if v else None,
        unit=v.unit if v else None,
        norm_value=v.norm_num if v else None,
        norm_unit=v.norm_unit if v else None,
        year=year,
        baseline=s.baseline if s.baseline and s.baseline in phrase else None,
        quote=nm.original[qs:qe],
        kind=kind,
    )


def _find_word(phrase: str, word: str) -> int:
    """First place `word` stands as a word (健全覆盖 is 健全+覆盖, not 全覆盖)."""
    bad = lexicon.load("comparators").get("not_after", {}).get(word, [])
    for m in re.finditer(re.escape(word), phrase):
        if not any(phrase[: m.start()].endswith(b) for b in bad):
            return m.start()
    return -1
