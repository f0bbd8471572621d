"""Finding the sentence that states a figure: what kind of figure a question asks for, and whether
a sentence holds one in a phrase about the question's topic. Shared by the strategies that quote
figures the targets table has no row for."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from assistant import lexicon
from assistant.lexicon import indicator_key
from assistant.answer.compose import STOP_BIGRAMS, bigrams, topic_bigrams
from assistant.answer.parse import asks_year, find_indicators, own_subject
from assistant.answer.state import Query
from assistant.ingest.targets import ACHIEVED_SECTIONS

BARE_FIGURE = 12  # a phrase this short is a figure that takes its meaning from its neighbours
TOPIC_COVERAGE = 0.4  # a figure's phrase must hold this share of the question's topic bigrams…
TOPIC_HITS = 3  # …or at least this many of them
NEAR_BEST = 0.9  # weighted: the figure's phrase holds at least this share of the best phrase's coverage
CONTINUES = 0.6  # a figure phrase sharing this share of its words with the figure-less phrase before it
# continues that statement (积极帮扶女性登记失业人员就业，25017名女性登记失业人员实现就业): they are weighed together
# a figure, not an age (3岁以下), a span (6个月) or a year (2025年)
ANY_NUMBER = re.compile(r"(?<![\d.])(?!20\d\d年)\d+(?:\.\d+)?(?![\d.]|岁|周岁|个月)|[一二三四五六七八九十两]+[个张名所家次项]|万分之|一半")
SPECIFIC_UNITS = 8  # the first answer_units (date, year, month, duration, length, money, ratio, age) need that very kind
LATIN = re.compile(r"[A-Za-z]{2,}")  # HPV, GDP: a term no paraphrase stands for
MEASURE_HEAD = re.compile(r"([\u4e00-\u9fff]{2})率")  # 筛查率 / 知晓率: what a rate counts
PHRASE = re.compile(r"[，,；;。]|(?<!\d)[：:]|[：:](?!\d)")  # a colon between digits is a ratio (1:2), not a break


@lru_cache(maxsize=1)
def _units() -> list[tuple[list[str], re.Pattern]]:
    return [(u["words"], re.compile(u["pattern"])) for u in lexicon.load("questions")["answer_units"]]


def asked_unit(q: Query) -> re.Pattern | None:
    """The kind of figure this turn asks for; 那东城呢 asks as the turn it follows, a turn with its own
    subject (儿童服务类社会组织呢 after 几名社会工作者; 低保标准是多少 after 要建多少个) does not."""
    if unit := unit_pattern(q.text):
        return unit
    own = core_of(own_subject(q.own_topic)) if q.own_topic else set()
    return unit_pattern(q.earlier_text) if q.inherited and not own else None


def holds_terms(q: Query, text: str) -> bool:
    """Latin terms the question names (九价HPV疫苗) are in the text: 免疫规划疫苗接种率 does not answer it."""
    asked = {t.upper() for t in LATIN.findall(q.own_topic or q.text)}
    return not asked or asked <= {t.upper() for t in LATIN.findall(text)}


def _heads(q: Query) -> set[str]:
    """What the asked rate counts (乳腺癌筛查率 -> 筛查), when no lexicon indicator says it in other words."""
    return set() if q.indicator_keys else set(MEASURE_HEAD.findall(q.own_topic or q.topic))


def unit_pattern(text: str) -> re.Pattern | None:
    """The figure a question asks for (多少米 -> a length), or None when it names no kind."""
    return next((p for words, p in _units() if any(w in text for w in words)), None)


def asks_specific(text: str) -> bool:
    """多少米、哪天、多少钱: a question that only a figure of one kind answers."""
    return any(w in text for words, _ in _units()[:SPECIFIC_UNITS] for w in words)


def without_verbs(text: str) -> str:
    """控制在/达到/提高到 say how, not what: they are not the topic."""
    for words in lexicon.load("comparators")["before"].values():
        for w in sorted(words, key=len, reverse=True):
            text = text.replace(w, " ")
    return text


YEARS = re.compile(r"(?:截至|截止|到)?20\d\d年?(?:底|末)?")


LISTING = re.compile(r"[和、]")  # 人大和政协: two subjects, no bigram across the 和 (大和, 和政)


@lru_cache(maxsize=1)
def _periods() -> re.Pattern:
    """十三五期末 / 十四五 / 截至: when, not what (the lexicon's period and reached words)."""
    lex = lexicon.load("questions")
    words = sorted([*lex["years"], *lex["five_year_plans"], *lex["intents"]["achieved"]], key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


def core_of(*texts: str) -> set[str]:
    """The topic bigrams of a question: no years (截至2018年), no verbs of direction, no question words."""
    return topic_bigrams(without_verbs(LISTING.sub(" ", _periods().sub(" ", YEARS.sub(" ", " ".join(texts))))))


def topic_core(q: Query) -> set[str]:
    about = " ".join([q.topic, *q.indicator_names, q.history_text if q.inherited else ""])
    return bigrams(without_verbs(about)) - STOP_BIGRAMS


NAMED = 0.6  # share of an indicator name's bigrams a phrase holds to speak of it in other words


def _names_it(names: list[str], keys: list[str], phrase: str) -> bool:
    """The phrase speaks of one of these indicators, if in other words (社区(村)建立家长学校 ~ 社区家长学校):
    a phrase that also names an unrelated indicator (…家庭教育指导服务站点) still answers; one naming a
    sibling (社区居委会成员 for 村委会成员: shared words) does not."""
    asked = [bigrams(n) for n in names]
    for name, key in find_indicators(phrase):
        if key not in keys and any(bigrams(name) & a for a in asked):
            return False
    have = bigrams(phrase)
    return any(len(a & have) >= NAMED * len(a) for a in asked if a)


def _weighed(phrases: list[str], i: int, text: str) -> set[str]:
    """The bigrams a figure phrase is weighed by: its own text, and the figure-less phrase before it when it
    continues that statement (积极帮扶女性登记失业人员就业，25017名女性登记失业人员实现就业)."""
    own = bigrams(text)
    if i and not ANY_NUMBER.search(prev := phrases[i - 1]):
        words = bigrams(re.sub(r"[\d.%‰]+", "", phrases[i]))  # the phrase's words, without its figure
        if len(words & bigrams(prev)) >= CONTINUES * len(words):
            own |= bigrams(prev)  # the same subject, said again with its figure
    return own


def has_figure(q: Query, sentence_norm: str, first_plan_year: int, core: set[str] | None = None, weigh=None,
               closest: float = 0.0) -> bool:
    """The sentence holds a figure of the asked kind, in a phrase that is about the question's topic.

    With `weigh` (Context.coverage), the figure's phrase must also be about as close to the topic as the
    sentence's closest phrase (rare words weigh most). A phrase about another indicator of the lexicon
    never answers a question about this one."""
    if q.year is not None and q.year >= first_plan_year:  # a target sentence dated another year does not answer
        years = set(re.findall(r"(20\d\d)年", sentence_norm))
        if years and str(q.year) not in years:
            return False
    pattern = asked_unit(q) or ANY_NUMBER
    phrases = PHRASE.split(sentence_norm)
    core = topic_core(q) if core is None else core
    if q.inherited and (said := core_of(own_subject(q.own_topic))):  # 儿童呢 after 常住人口…: the figure's phrase is about 儿童
        core, closest = said, 0.0
    need = min(TOPIC_HITS, math.ceil(TOPIC_COVERAGE * len(core)))
    if not holds_terms(q, sentence_norm):
        return False
    heads = _heads(q)
    # with weights: the figure's phrase must be (nearly) the sentence's best phrase for the topic —
    # 高级专业技术人员中的女性比例达到40% loses to 高技能人才中的女性比例逐步提高, which has no figure
    # (`closest`: the closest phrase the caller found in other sentences of the same search)
    best = max([closest, *(weigh(core, bigrams(ph)) for ph in phrases)]) if weigh is not None else 0.0
    for i, ph in enumerate(phrases):
        if not pattern.search(ph):
            continue
        key = indicator_key(ph)
        if q.indicator_keys and key and key not in q.indicator_keys and not _names_it(q.indicator_names, q.indicator_keys, ph):
            continue
        window = "".join(phrases[max(0, i - 1) : i + 2])
        if heads and not any(h in window for h in heads):
            continue  # 乳腺癌筛查率 is not answered by …防治知识知晓率达90%
        bare = len(ph) < BARE_FIGURE  # 到2025年, … : a bare figure is as close as its neighbours
        if weigh is not None and weigh(core, _weighed(phrases, i, window if bare else ph)) < NEAR_BEST * best:
            continue
        # the figure's own phrase must be about the topic, or its neighbours more strongly so
        # ("本规划实施的2—3年，…进行中期评估"; a bare "1月22日," takes its meaning from what follows)
        if len(core & bigrams(ph)) >= need:
            return True
        if bare and len(core & bigrams(window)) >= min(need + 1, len(core)):
            return True
    return False


PART_YEAR = re.compile(r"(20\d\d)年")  # a part of a document dated by its title (2018年工作总结)


def dated_otherwise(clause, year: int) -> bool:
    """The clause stands in a part dated another year (2018年工作总结 for a 2019 question)."""
    m = PART_YEAR.search(clause.part)
    return m is not None and int(m.group(1)) != year


def achieved_place(clause, ctx) -> bool:
    """A clause that reports what was reached: 发展基础 and the like, or a work report."""
    return clause.section in ACHIEVED_SECTIONS or ctx.doc_by_id[clause.doc_id].kind != "plan"
