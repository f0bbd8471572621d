"""Read one user turn into what it says by itself (a Turn); the conversation's state fills the rest.

Every word list comes from assistant/lexicon/questions.yaml; place names outside the corpus come
from assistant.places. The retrieval bench reads questions through the same functions."""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel
from pypinyin import Style, lazy_pinyin

from assistant import lexicon
from assistant.answer.intent import FROM_WORDS, WORD_ORDER, Intent
from assistant.ingest.targets import MEASURE_NOUNS
from assistant.models import DocMeta
from assistant.places import find_places
from assistant.text import longest_first, norm

MAX_QUESTION = 2000  # characters kept; longer input is cut, never rejected silently
MIN_CORE = 2  # a turn whose own topic words are shorter than this is elliptical (那西城呢？)
SPECIFIC_COUNT = re.compile(r"具体[\u4e00-\u9fff]{1,4}数")  # 有具体托位数吗: a figure asked, in other words than 具体数
MIN_SUBJECT = 4  # the asked part after a context sentence names a subject of its own (乳腺癌人群筛查率, not 控制在)
YEAR = re.compile(r"(20\d\d)年")
REMARK_AFTER = re.compile(r"^(.+?呢[？?])([^？?]+)$")  # a question, then a remark of the staff member's own
AGE_RANGE = re.compile(r"(\d+)(?:到|至|~)(\d+)(?=周?岁)")  # an age range as staff type it
LEAD_ELLIPSIS = re.compile(r"([^？?，,。；;]+呢)[？?，,]+(?=.)")  # 西城呢？… : a bare 呢 part before more
DOC_YEAR = re.compile(r"20\d\d年(?:的|那份|那个|这份|这个)?(?:工作)?总结")  # a year that names the report
DOC_FILLER = re.compile(r"(20\d\d年)(?:的|那份|那个|这份|这个)(?=(?:工作)?总结)")
# 18年总结 / 25年的目标: staff write years with two digits; the plans' years are 2010–2039
SHORT_YEAR = re.compile(r"(?<![\d.])([123]\d)年(?!龄|级|代)")
STATED_FIGURE = re.compile(r"\d+(?:\.\d+)?(?![\d.]*[年月日])")  # 82.49%, not 2018年
POINTED_FIGURE = re.compile(r"(?:那个|这个|那条|这条)\d")  # 接种率那个95%: the figure the question points at
SEGMENT = re.compile(r"(?<=[，,；;。！!？?])")


class Turn(BaseModel):
    """What one user turn says by itself."""

    text: str  # the question as asked (normalised, simplified)
    topic: str = ""  # the turn's words without region names and question words
    core: str = ""  # the topic without intent, pointing and follow-up words: empty for 那西城呢？
    doc_ids: list[str] = []
    unknown_regions: list[str] = []  # places named that the corpus holds no plan for
    city_word: bool = False  # 市里/全市/市级 named without naming the city
    own_doc_ids: list[str] = []  # plans the turn calls its own (我们西城, 我是东城妇儿工委办的)
    parent_said: bool = False  # 上级/市级: the plan's own parent, formally (not the corpus' city plan)
    population: str | None = None
    domain_key: str | None = None
    indicator_keys: list[str] = []
    indicator_names: list[str] = []  # the words that matched, as asked
    year: int | None = None
    intent: Intent = Intent.TARGET_VALUE
    intent_said: bool = False  # a question word decided the intent (not the default)
    asks_number: bool = False
    which: str | None = None  # 哪个更严 / 哪个高 / 哪个低: stricter | higher | lower
    go_back: bool = False  # 回到刚才…
    anaphora: bool = False  # 这个指标…
    new_topic: bool = False  # 换个话题…
    parallel: bool = False  # 那X呢: the earlier question, asked about X
    adds: bool = False  # 课桌椅也说下: this subject besides the earlier one
    both_plans: bool = False  # 两边分别多少: the plans set side by side so far
    compares: bool = False  # 和市里比呢: set against the earlier answer
    context: str = ""  # a clause bringing in an outside figure (国家纲要要求…)
    achieved: bool = False  # 十三五期末实际到了多少: what was reached, not the target
    several: int = 0  # 这两个数 / 这俩 / 这三个: how many earlier subjects the turn points back at

    @property
    def elliptical(self) -> bool:
        return not self.indicator_keys and not self.domain_key and len(self.core) < MIN_CORE


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented

    return opencc.OpenCC("t2s")


def clean(question: str) -> str:
    """NFKC, simplified characters, no control characters, bounded length."""
    q = "".join(ch for ch in question if ch.isprintable() or ch in "\n\t")
    q = _t2s().convert(q[:MAX_QUESTION])
    q = _ask_gap().sub(lambda m: m.group(0).rstrip() + "，", q)  # 常住人口多少 女性占比多少: two questions
    q = SHORT_YEAR.sub(r"20\1年", norm(q))
    q = AGE_RANGE.sub(r"\1-\2", q)  # 0到14岁 is written 0-14岁
    for spoken, written in sorted(lexicon.load("questions")["spoken_words"].items(), key=lambda kv: -len(kv[0])):
        q = q.replace(spoken, written)  # 啥时候 -> 什么时候: the lexicon's lists are written in these words
    return DOC_FILLER.sub(r"\1", q)  # 2018年那份总结 names the report as 2018年总结 does


@lru_cache(maxsize=1)
def _ask_gap() -> re.Pattern:
    """A space right after a word that ends a question (多少, 几个…) and before the next words."""
    return re.compile(f"(?:{alternation(_words('ask_ends'))})\\s+(?=[\u4e00-\u9fff])")


NEAR_NAME = 5  # an indicator name this long is still recognised with one character mistyped (死忙率)


MEDIALS = re.compile(r"^[iuv](?=.)")  # uang and ang, ie and e: the same sound after the glide


def _sounds_alike(a: str, b: str) -> bool:
    """Two characters a pinyin typist confuses: the same initial or the same final (亡/忙, 率/绿, 例/列)."""
    ia, ib = lazy_pinyin(a, style=Style.INITIALS, strict=False), lazy_pinyin(b, style=Style.INITIALS, strict=False)
    fa, fb = lazy_pinyin(a, style=Style.FINALS), lazy_pinyin(b, style=Style.FINALS)
    return (ia[0] and ia == ib) or MEDIALS.sub("", fa[0]) == MEDIALS.sub("", fb[0])


def spelled(text: str, names: list[str] | None = None) -> str:
    """The text with an indicator name (or another of these names: 决策和管里 -> 决策和管理) typed with one
    wrong character put right (孕产妇死忙率 -> 孕产妇死亡率, 覆盖绿 -> 覆盖率); for a text in which no name is
    written correctly. The wrong character must sound like the right one (服务圈 is a word of its own, not 服务率)."""
    for name in names if names is not None else [n for n, _ in lexicon.indicator_names()]:
        if len(name) < NEAR_NAME:
            continue
        for i in range(len(text) - len(name) + 1):
            window = text[i : i + len(name)]
            wrong = [j for j, (a, b) in enumerate(zip(window, name)) if a != b]
            if len(wrong) == 1 and wrong[0] > 0 and _sounds_alike(window[wrong[0]], name[wrong[0]]):
                # one character, never the first (死忙率, not 婴儿/孕产妇), and one a typist would hit
                return text[:i] + name + text[i + len(name):]
    return text


def find_indicators(text: str) -> list[tuple[str, str]]:
    """(name, key) for each non-overlapping lexicon name in text, longest first, in text order.

    拥有的床位数 and 拥有床位数 are the same words: 的 is ignored on both sides, and so are brackets
    (儿科执业助理医生 is the plan's 儿科执业(助理)医生)."""
    text = lexicon.plain(text)
    taken = [False] * len(text)
    found: list[tuple[int, str, str]] = []
    for name, key in lexicon.indicator_names():
        start = 0
        while (i := text.find(name, start)) >= 0:
            if not any(taken[i : i + len(name)]):
                for j in range(i, i + len(name)):
                    taken[j] = True
                if key not in [k for _, _, k in found]:
                    found.append((i, name, key))
            start = i + 1
    return [(n, k) for _, n, k in sorted(found)]


LISTED = re.compile(r"[\u4e00-\u9fff0-9]+(?:[、和及与][\u4e00-\u9fff0-9]+)+")
PER_WHOM = re.compile(r"^每[千万百十]?[名人个户][\u4e00-\u9fff]{2}")  # 每千名儿童


@lru_cache(maxsize=1)
def _listed_pattern() -> re.Pattern:
    """A list that ends in a measure noun: 小学生、初中生、高中生近视率."""
    nouns = "|".join(MEASURE_NOUNS)
    return re.compile(rf"(?:[\u4e00-\u9fff0-9]{{1,8}}[、和及与])+[\u4e00-\u9fff0-9]{{1,8}}?(?:{nouns})")


def _listed_indicators(text: str) -> list[tuple[str, str]]:
    """Indicators a list names by sharing words: 小学生、初中生、高中生近视率 (the measure noun of the
    last), 每千名儿童儿科执业医师和床位 (the qualifier of the first)."""
    out: list[tuple[str, str]] = []
    for m in [*_listed_pattern().finditer(text.replace("的", "")), *LISTED.finditer(text.replace("的", ""))]:
        items = [i for i in re.split(r"[、和及与]", re.sub(r"[呢吗啊吧]+$", "", m.group(0))) if i]
        if len(items) < 2:
            continue
        last, prev = items[-1], items[-2]
        tails = [last[len(prev):] if len(last) > len(prev) else "",  # 高中生|近视率 after 初中生: the shared words
                 next((n for n in MEASURE_NOUNS if last.endswith(n)), "")]  # 新生儿、婴儿和…死亡率: the measure noun
        expanded = [i + t for i in items[:-1] for t in tails] + [last]
        head = next((n for n in MEASURE_NOUNS if items[0].endswith(n)), "")  # 婴儿死亡率和5岁以下: the first's noun
        expanded += [i + head for i in items[1:] if head and not i.endswith(tuple(MEASURE_NOUNS))]
        if (q := PER_WHOM.match(items[0])):
            expanded = [i if i.startswith("每") else q.group(0) + i for i in expanded]
        for item in expanded:
            out += [f for f in find_indicators(item) if f not in out]
    return out


REGION_NAMES_CACHE = 16_384  # distinct (region, aliases) kept: every county's plans (~6,000) with room to spare


def region_names(doc: DocMeta) -> list[str]:
    """The names a question may call a plan's region by, normalised, longest first (a fresh list)."""
    return list(_region_names(doc.region, tuple(doc.region_aliases)))


@lru_cache(maxsize=REGION_NAMES_CACHE)  # each question reads every plan's names several times (2,000 plans: 10,000 calls)
def _region_names(region: str, aliases: tuple[str, ...]) -> tuple[str, ...]:
    names = {region, *aliases}
    if region.endswith(("区", "县", "市")) and len(region) > 2:
        names.add(region[:-1])
    return tuple(longest_first(norm(n) for n in names))


def find_docs(text: str, docs: list[DocMeta]) -> list[str]:
    """Plans the text names, in order of mention. A work report is named only by its own words.

    北京市东城区 names the district; the city counts only where it is named outside a
    district's full name (和全市比呢)."""
    hits: list[tuple[int, str]] = []
    plans = [d for d in docs if d.kind == "plan"]
    for d in docs:
        names = region_names(d) if d.kind == "plan" else [norm(a) for a in d.region_aliases]
        names += [norm(d.doc_number)] if d.doc_number else []  # 曾政发〔2022〕8号这个文件
        pos = [text.find(n) for n in names if n in text]
        if pos:
            hits.append((min(pos), d.doc_id))
    ids = [i for _, i in sorted(hits)]
    said = set(ids)
    named = [d for d in plans if d.doc_id in said]  # only plans the text names can drop a city (2,000 plans:
    for city in named:                              # every plan against every plan was 169 ms a question)
        districts = [d for d in named if d.doc_id in ids and d.parent_region == city.region]
        if city.doc_id in ids and districts and not _named_alone(text, city, districts):
            ids.remove(city.doc_id)
    return ids


def _named_alone(text: str, city: DocMeta, districts: list[DocMeta]) -> bool:
    stripped = text
    for d in districts:
        for n in region_names(d):
            if any(c in n for c in region_names(city)):
                stripped = stripped.replace(n, "")
    return any(n in stripped for n in region_names(city))


PLACE_FILLER = re.compile(r"^(?:省|市)?(?:的|那个|这个|那边的|那边)?")
# 曾都是湖北的 / 曾都属于随州: a district described by its province or city after it (a word linking them)
PLACE_LINK = r"(?:区|县|市)?(?:是|属于|位于|在)"


def unknown_places(text: str, docs: list[DocMeta], named: list[str]) -> list[str]:
    """Places in the text that no plan of the corpus covers: not a corpus region, not the parent
    or province of a plan the text names (湖北曾都 names 曾都)."""
    known = {norm(n) for d in docs for n in region_names(d)}
    known |= {norm(d.region) for d in docs}
    parents = {norm(x) for d in docs if d.doc_id in named for x in (d.parent_region or "", d.province) if x}
    own = tuple(n for d in docs if d.doc_id in named for n in region_names(d))
    out = []
    for p in find_places(text):
        if norm(p.name) in known or norm(p.full_name) in known:
            continue
        at = text.find(p.name) + len(p.name)
        # 湖北那个曾都区 / 湖北省的曾都: a word or two of pointing between the province and the district
        if norm(p.full_name) in parents and PLACE_FILLER.sub("", text[at:], count=1).startswith(own):
            continue  # 湖北曾都 / 随州市曾都区 name the district; 跟随州市的规划比 names its parent plan
        if norm(p.full_name) in parents and own and re.search(
                f"(?:{'|'.join(map(re.escape, own))}){PLACE_LINK}$", text[: at - len(p.name)]):
            continue  # 曾都是湖北的: the province describes the district, it is not asked about
        out.append(p.full_name)
    return list(dict.fromkeys(out))


def _words(name: str) -> list[str]:
    return lexicon.load("questions")[name]


def _without(text: str, words, by: str = " ") -> str:
    """The text with these words taken out, longest first (a space keeps the pieces apart)."""
    for w in longest_first(words):
        text = text.replace(w, by)
    return text


def _plan_then_own_ask(text: str, docs: list[DocMeta]) -> bool:
    """西城呢？护理床位占比多少？: a plan and 呢 alone, then a question of its own subject: the earlier
    question asked of that plan, and this one with it (as 东城呢？居委会主任也一起说下)."""
    m = LEAD_ELLIPSIS.match(text)
    return bool(m) and bool(find_docs(m.group(1), docs)) and not _core(topic(m.group(1), docs)) and \
        bool(find_indicators(text[m.end():]))


def _any(text: str, words) -> bool:
    return any(w in text for w in words)


def read_turn(question: str, docs: list[DocMeta]) -> Turn:
    """One turn by itself: regions, indicator, year, intent and the words that say how it relates
    to the conversation."""
    lex = lexicon.load("questions")
    text = clean(question)
    if (m := REMARK_AFTER.match(text)) and not says(m.group(2), "remark_asks") and \
            not says(m.group(2), "also_words") and not find_indicators(m.group(2)):  # (婴儿死亡率也一起说下 asks)
        text = m.group(1)  # 曾都的呢？感觉他们定得宽一点: the remark after the question asks nothing
    found = find_indicators(text)
    if not found:  # 孕产妇死忙率: one character mistyped
        text = spelled(text)
        found = find_indicators(text)
    context, asked = _split_context(text)
    places = [n for d in docs for n in region_names(d)]  # 曾都小学生和初中生…: the place is not an item
    found += [f for f in _listed_indicators(_without(text, places)) if f[1] not in {k for _, k in found}]
    # 近视率呢？也是分小学初中高中吧: the narrower indicators the rest of the text names, not the broad one
    if narrow := lexicon.narrower_named([k for _, k in found], _without(lexicon.plain(text), [n for n, _ in found])):
        found = [f for f in found if not set(lexicon.indicator_entry(f[1]).get("narrower", [])) & set(narrow)] + \
            [(k, k) for k in narrow if k not in {k2 for _, k2 in found}]
    city_words = [norm(w) for w in lex["city_words"]]
    doc_ids = find_docs(asked, docs) or find_docs(context, docs)  # 西城党代会…是49.9%，对目标算达标吗
    if context and _which(asked):  # 曾都…要到1.12名，东城定的多少？哪个更高: the context's plan is one side
        doc_ids = list(dict.fromkeys(find_docs(context, docs) + doc_ids))
    without_city = _without(asked, city_words, by="")
    city_word = False
    if without_city != asked:  # 市里 alone: which city is meant depends on the plan in question (state)
        named = find_docs(without_city, docs)
        if len(named) < len(doc_ids):
            city_word = True
            doc_ids = [i for i in doc_ids if i in named]
    parent_said = _any(asked, [norm(w) for w in lex["parent_words"]])
    city_word = city_word or parent_said  # 跟上级规划比呢: the plan's own parent, like 市里
    pops = [p for p, words in lex["populations"].items() if _any(text, words)]
    year = _year(DOC_YEAR.sub("总结", asked)) or _year(asked)  # 2018年那个总结里，2019年计划…: 2019 is asked
    intent, said = _intent(asked)  # 之前十三五末是82.49%: the context does not set what is asked
    # 宫颈癌…我知道是70%，那乳腺癌…要达到多少: the asked part's own subject, not the context's (a status
    # question's context is the observed figure of the very subject it asks about)
    asked_topic = topic(asked, docs) if context and intent in FIGURE_INTENTS else ""
    own_subject = len(_core(asked_topic)) >= MIN_SUBJECT
    if own_subject:
        found = find_indicators(asked)
    if _any(text, lex["off_topic_requests"]):
        intent, said = Intent.UNSUPPORTED, True
    elif _person(asked):
        intent, said = Intent.PERSON, True
    plain = re.sub(r"[“”\"‘’'《》]", "", text)
    plans = [i for i in doc_ids if next(d for d in docs if d.doc_id == i).kind == "plan"]
    if len(plans) >= 2 and intent in (Intent.TARGET_VALUE, Intent.COMPARE, Intent.TARGET_LIST):
        intent = Intent.COMPARE
    if intent == Intent.COMPARE and len(plans) < 2 and not city_word and not _any(text, [*lex["all_plans_words"], "比呢"]):
        intent = Intent.TARGET_VALUE
    domain_key = _domain(text) or _domain(spelled(text, lexicon.domain_names()))  # 妇女参与决策和管里
    if intent == Intent.TARGET_VALUE and domain_key and not found and "目标" in text:
        intent = Intent.TARGET_LIST  # 妇女与经济领域的主要目标: the domain's goals, not one figure
    if not found and _asks_a_list(asked, domain_key) and intent in LISTABLE:
        # 有哪些是带百分比的指标 / 有数字的是哪几条 / 要全覆盖的都有什么: said in the turn's own words
        intent, said = Intent.TARGET_LIST, True
    if intent == Intent.TARGET_LIST and found and (text.rstrip("？?").endswith("吗") or "有没有" in text):
        intent = Intent.TARGET_VALUE  # 托位数有量化目标吗: whether this one indicator has a figure
    which = _which(text)
    t = topic(text, docs)
    # 听说朝阳区也出了规划，他们…定的多少: the asked part points at the place its context sentence names
    pointed = unknown_places(context, docs, doc_ids) if context and not doc_ids and says(asked, "they_words") else []
    if own_subject:  # the context's subject is not asked
        t, context = asked_topic, ""
    return Turn(
        text=text, topic=t, core=_core(t), doc_ids=doc_ids, own_doc_ids=_own(text, doc_ids, docs),
        unknown_regions=unknown_places(asked, docs, doc_ids) or pointed, city_word=city_word,
        parent_said=parent_said,
        population=pops[0] if len(pops) == 1 else None, domain_key=domain_key,
        indicator_keys=[k for _, k in found], indicator_names=[n for n, _ in found],
        year=year, intent=intent, intent_said=said,
        asks_number=says_number(plain) or _names_a_measure(plain) or bool(SPECIFIC_COUNT.search(plain)),
        which=which, go_back=_any(text, lex["go_back_words"]), anaphora=_anaphora(text) is not None,
        new_topic=_any(text, lex["new_topic_words"]), context=context,
        adds=_any(text, lex["also_words"]) or _plan_then_own_ask(text, docs),
        both_plans=_any(text, lex["both_plans_words"]),
        parallel=text.startswith(tuple(lex["parallel_start"])) or text.rstrip("？?！!。").endswith(tuple(lex["parallel_end"])),
        compares=_any(_without(text, lex["not_compare_words"]), lex["compare_followup_words"]), achieved=_any(asked, lex["intents"]["achieved"]),
        several=_several(text))


def _own(text: str, doc_ids: list[str], docs: list[DocMeta]) -> list[str]:
    """The named plans a word of own_markers stands right before (我们西城, 咱东城, 我是东城…)."""
    if not doc_ids:
        return []
    markers = alternation(_words("own_markers"))
    by_id = {d.doc_id: d for d in docs}
    return [i for i in doc_ids if i in by_id and by_id[i].kind == "plan" and any(
        re.search(f"(?:{markers}){re.escape(n)}", text) for n in region_names(by_id[i]))]


def alternation(words) -> str:
    """A regex alternation of these words, longest first (so 这几个 is tried before 这几)."""
    return "|".join(re.escape(w) for w in longest_first(words))


def _directions() -> str:
    """The alternation of every which-direction word (严, 高, 多, 低…), as group 1 of the which-patterns."""
    return alternation([w for ws in lexicon.load("questions")["which_words"].values() for w in ws])


@lru_cache(maxsize=1)
def person_pattern() -> re.Pattern:
    """主任是谁 / 主任叫什么名字: a title and a question for its holder's name."""
    lex = lexicon.load("questions")
    return re.compile(f"({alternation(lex['person_titles'])})(?:的|现在|当时|那会儿)?(?:{alternation(lex['person_asks'])})")


def _person(text: str) -> bool:
    return person_pattern().search(text) is not None


# questions for a figure: the ones whose subject a context sentence (…我知道是70%，那乳腺癌…) may not set
FIGURE_INTENTS = (Intent.TARGET_VALUE, Intent.FACT, Intent.TARGET_LIST)
# intents a list question's own words may be read as (几条 in 有数字的是哪几条; 都有什么 in 全覆盖的都有什么)
LISTABLE = (Intent.TARGET_VALUE, Intent.MEASURE, Intent.STRUCTURE)
QUOTED_VALUE = re.compile(r"(?:要求|写着|写的|说)[“\"'‘「]([^”\"'’」]{2,12})[”\"'’」]")  # 要求“保持稳定”的


def quoted_value(text: str) -> str | None:
    """The wording a question quotes as a requirement (要求“保持稳定”的有哪些), not a quoted name (“儿童与家庭”那块)."""
    m = QUOTED_VALUE.search(text)
    return norm(m.group(1)) if m else None
LIST_ITEMS = "哪几条"  # which items (a list), where 几条 alone asks how many


def _asks_a_list(text: str, domain_key: str | None) -> bool:
    """Several figures asked at once: a list word with a word for figures (哪些…带百分比, 有数字的…哪几条)
    or with a value word the targets share (要全覆盖的都有什么)."""
    lex = lexicon.load("questions")
    if LIST_ITEMS in text and domain_key:  # 儿童与教育的主要目标有哪几条: the goals listed (几条 counts them)
        return True
    if not _any(text, lex["list_words"] + [LIST_ITEMS]):
        return False
    achieve = lexicon.load("comparators")["qualitative"]["achieve"]
    each = _any(text, lex["which_things_words"]) and _any(text, lex["each_figure_words"])
    quoted = quoted_value(text) is not None  # 要求“保持稳定”的有哪些: the goals worded so
    return _any(text, lex["quantified_words"]) or _any(text, achieve) or each or quoted


def says_of_document(text: str, kind: str) -> bool:
    """The text holds a word of this kind about the document itself (structure_words: doc_number, issued,
    issued_when, who, who_issued, period)."""
    return _any(text, lexicon.load("questions")["structure_words"][kind])


def asks_of_document(text: str) -> bool:
    """The text asks a fact of the document itself: its 文号, when or by whom it was issued, its period."""
    said = lambda kind: says_of_document(text, kind)  # noqa: E731
    return said("doc_number") or said("period") or (said("issued") and (said("issued_when") or said("who")))


LETTERS = re.compile(r"[A-Za-z]{3,}")  # asdfgh: letters typed at random, or a term like HPV


def letters_only(text: str, docs: list[DocMeta]) -> list[str]:
    """规划 asdfgh 咋整 -> ["asdfgh"]: the runs of letters of a question that asks about nothing else
    (whether the corpus knows them is the caller's to check); [] for any other question."""
    runs = LETTERS.findall(text)
    if not runs or len(_core(topic(LETTERS.sub(" ", text), docs).replace("规划", ""))) >= MIN_CORE:
        return []
    return runs


def says_number(text: str) -> bool:
    """The text asks for a figure in so many words (多少, 几个, 百分比…; 哪几 asks which, not how many)."""
    return _any(text.replace("哪几", ""), lexicon.load("questions")["asks_number"])


def says(text: str, words: str) -> bool:
    """The text holds a word of this questions.yaml list (home_words, wording_asks, area_words…)."""
    return _any(text, _words(words))


def _names_a_measure(text: str) -> bool:
    """曾都农村社区家长学校比例: a question that is just a measure's name asks for its figure."""
    return text.rstrip("？?。！! ").endswith(tuple(MEASURE_NOUNS))


def _several(text: str) -> int:
    """这两个数 / 这俩 / 这三个: how many earlier subjects the turn points at (0: none)."""
    return max((n for w, n in lexicon.load("questions")["several_words"].items() if w in text), default=0)


EITHER_OR = re.compile(r"(严|高|多|大)还是(?:松|宽|低|少|小)")  # 比东城高还是低: which of the two is higher


@lru_cache(maxsize=1)
def _which_pattern() -> re.Pattern:
    lex = lexicon.load("questions")
    direction = _directions()
    # …or a verb with 得 (哪个配得多, 谁降得低): the degree complement says how much of the verb
    middle = f"{alternation(lex['which_middle'])}|[\u4e00-\u9fff]{{1,2}}得"
    return re.compile(f"(?:{alternation(lex['which_subjects'])})(?:{middle})*({direction})")


WHICH_GAP = 16  # 哪个区对居委会主任女性比例的要求更高: what is compared may stand between 哪个 and 更高


@lru_cache(maxsize=1)
def _which_far_pattern() -> re.Pattern:
    """哪个/谁 … 更/最 + a direction word within one clause: the comparative marker says it is a comparison."""
    lex = lexicon.load("questions")
    direction = _directions()
    return re.compile(f"(?:{alternation(lex['which_subjects'])})[^，,。？?；;]{{0,{WHICH_GAP}}}?(?:更|最)({direction})")


def _which(text: str) -> str | None:
    """哪个定得高 / 谁更严 / 哪家要求低 / 比东城高还是低: stricter | higher | lower, or None."""
    m = _which_pattern().search(text) or EITHER_OR.search(text) or _which_far_pattern().search(text)
    if not m:
        return None
    return next(k for k, words in lexicon.load("questions")["which_words"].items() if m.group(1) in words)


ANAPHORA_GAP = 4  # characters between 这些 and 指标 (这些养老指标)


@lru_cache(maxsize=1)
def anaphora_pattern() -> re.Pattern:
    lex = lexicon.load("questions")
    return re.compile(f"(?:{alternation(lex['anaphora_heads'])})[\u4e00-\u9fff]{{0,{ANAPHORA_GAP}}}?(?:{alternation(lex['anaphora_nouns'])})")


POINTING_START = re.compile(r"^(?:那)?(?:这个|这项|这一项|该项|这是)(?=具体|是|由|归|谁|要|的|呢|有|到)")  # 这个具体是哪个委办局牵头


def _anaphora(text: str) -> str | None:
    """这个指标 / 这些养老指标 / 这两个数 / 这个具体…: the words that point back, or None."""
    m = anaphora_pattern().search(text) or POINTING_START.search(text)
    if m is None:  # 其中…哪条: among the earlier items
        return next((w for w in lexicon.load("questions")["among_words"] if w in text), None)
    return m.group(0)


def _split_context(text: str) -> tuple[str, str]:
    """(context, asked): 国家纲要要求…降到3‰以下，我们区定的多少？ -> the clause with the outside
    figure, and the rest. Years and regions are read from the rest only."""
    segs = [s for s in SEGMENT.split(text) if s]
    words = _words("context_words")
    if len(segs) < 2:
        return "", text
    asks = _words("asks_number") + _words("context_ask_marks")
    ctx = [s for s in segs[:-1] if _any(s, words)]
    # …要达到多少？之前十三五末是82.49%: a clause that states a figure and asks nothing is context too
    # (疫苗接种率那个95%，是以什么为单位算的: a figure pointed at, 那个95%, is what the question is about)
    ctx += [s for s in segs if s not in ctx and STATED_FIGURE.search(s) and not _any(s, asks) and not POINTED_FIGURE.search(s)]
    if len(ctx) == len(segs):
        return "", text
    if not ctx:
        return "", text
    return "".join(ctx), "".join(s for s in segs if s not in ctx)


BASE_YEAR = re.compile(r"[比较]20\d\d年?")  # 比2017年提高了多少: the base of a change, not the year asked


def _year(text: str) -> int | None:
    text = BASE_YEAR.sub("", text)
    if m := YEAR.search(text):
        return int(m.group(1))
    for word, y in sorted(lexicon.load("questions")["years"].items(), key=lambda x: -len(x[0])):
        if word in text:
            return y
    return None


def _intent(text: str) -> tuple[Intent, bool]:
    plain = re.sub(r"[“”\"‘’'《》]", "", text)
    for w in lexicon.load("questions")["figure_asks"]:
        plain = plain.replace(w, "多少")
    intents = lexicon.load("questions")["intents"]
    for name in WORD_ORDER:
        if _any(plain, intents.get(name, [])):
            said = name != "target_value" or _any(plain, lexicon.load("questions")["target_said_words"])
            return FROM_WORDS[name] if name in FROM_WORDS else Intent(name), said
    return Intent.TARGET_VALUE, False


@lru_cache(maxsize=1)
def _asking_verb() -> re.Pattern:
    """A verb right before the asked figure (降到多少, 要控制在多少以内): the plans' comparator verbs and staff's."""
    verbs = [w for ws in lexicon.load("comparators")["before"].values() for w in ws] + _words("asking_verbs")
    return re.compile(f"要?(?:{alternation(verbs)})(?=多少|几|百分之)")


def topic(text: str, docs: list[DocMeta]) -> str:
    """The question without region names and question words: what retrieval should match."""
    out = text
    for d in docs:
        for n in region_names(d):
            out = out.replace(n, " ")
    for p in find_places(out):
        out = out.replace(p.name, " ")
    out = _asking_verb().sub(" ", out)  # 溺水死亡率降多少: 溺水死亡率
    keep = {chr(0xE000 + i): w for i, w in enumerate(_words("keep_words"))}  # 规划中期评估 keeps 中期
    for mark, w in keep.items():
        out = out.replace(w, mark)
    for w in longest_first(_words("go_back_words") + _words("query_stopwords") + _words("also_words") + _words("speaker_words")):
        out = out.replace(w, " ")  # 回到刚才东城那个…: where the subject is, not what
    for mark, w in keep.items():
        out = out.replace(mark, w)
    out = re.sub(r"[？?！!。，,、“”\"（）()]", " ", out)
    out = " ".join(out.split())
    extra = [v for k, v in lexicon.load("questions").get("synonyms", {}).items() if k in text]
    return " ".join([out, *extra]).strip()


def own_subject(topic_text: str) -> str:
    """A follow-up's own subject words, population words kept: 儿童呢 -> 儿童; 十三五末这个实际做到 -> ''."""
    pops = {w for ws in lexicon.load("questions")["populations"].values() for w in ws}
    out = re.sub(r"20\d\d年?|[的了呢吗啊吧呀么]|有(?=\s|$)", " ", topic_text)  # 儿童有多少 -> 儿童
    for w in _non_topic_words():
        if w not in pops:
            out = out.replace(w, " ")
    return " ".join(out.split())


@lru_cache(maxsize=1)
def _non_topic_words() -> list[str]:
    lex = lexicon.load("questions")
    words = [w for ws in lex["intents"].values() for w in ws]
    words += [w for ws in lex["which_words"].values() for w in ws]
    words += lex["go_back_words"] + lex["anaphora_heads"] + lex["new_topic_words"] + lex["city_words"] + lex["also_words"]
    words += lex["all_plans_words"] + lex["asks_number"] + lex["list_words"] + list(lex["years"])
    words += [w for ws in lex["populations"].values() for w in ws if len(w) <= 2] + lex["followup_words"]
    return longest_first(words)


@lru_cache(maxsize=1)
def _non_core_words() -> list[str]:
    """The words no subject is named by: those of no topic, and the five-year plans (十三五: when, not what)."""
    return longest_first([*_non_topic_words(), *lexicon.load("questions")["five_year_plans"]])


def asks_year(text: str) -> bool:
    """这是到哪年的 / 哪一年要达到: the year of a target is asked."""
    return any(u["year"] and any(w in text for w in u["words"]) for u in lexicon.load("questions")["answer_units"])


def subject_words(text: str) -> str:
    """The words of a question (no region named) that name a subject: 具体定了多少 has none."""
    return _core(topic(text, []))


def _core(topic_text: str) -> str:
    """Topic words that name a subject: 那有什么措施 has none, 托育有什么措施 has 托育."""
    out = re.sub(r"20\d\d年?|[的了呢吗啊吧呀么]|^[那和跟再还有]+", "", topic_text.replace(" ", ""))
    for w in _non_core_words():
        out = out.replace(w, "")
    out = re.sub(r"^[那和跟再还有又就]+|[有没是呢吗]+$", "", out)
    return out


def _domain(text: str) -> str | None:
    # 儿童福利目标里… / 妇女健康指标有哪些: a population and a domain's name before 目标/指标 name the domain too
    for m in re.finditer(r"(?=(妇女|儿童)(与|参与)?([\u4e00-\u9fff]{2,6}?)(领域|这块|方面|部分|这部分|目标|指标))", text):
        key = lexicon.domain_key(m.group(1) + (m.group(2) or "") + m.group(3)) or lexicon.domain_key(m.group(1) + "与" + m.group(3))
        if key:
            return key
    pop = "儿童" if "儿童" in text and "妇女" not in text else "妇女"
    for m in re.finditer(r"(?=([\u4e00-\u9fff]{2,6})(领域|这块|那块|方面|这部分|那部分|部分))", text):  # 社会保障领域, 健康那部分
        for cut in range(len(m.group(1)) - 1):
            if key := lexicon.domain_key(pop + "与" + m.group(1)[cut:]):
                return key
    m = re.search(r"(妇女|儿童)(与|参与)([\u4e00-\u9fff]{2,6})", text)
    if m:
        for cut in range(len(m.group(3)), 1, -1):
            if k := lexicon.domain_key(m.group(1) + m.group(2) + m.group(3)[:cut]):
                return k
    return None
