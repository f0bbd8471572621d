"""The conversation as a typed record, updated turn by turn by written carry-over rules.

    state = DialogueState()
    for question in history:                 # what `ask --history` and the app replay
        state = advance(state, read_turn(question, docs), docs)
    query = resolve(read_turn(question, docs), state, docs)

Rules (each a test in tests/answer/test_state.py):
1. An elliptical turn (那西城呢？/2025年呢？/市里呢？) keeps the topic, indicator, intent and year and
   takes what it names (a region, a year).
2. A turn that names a new topic replaces the topic and drops the old year; the region carries on
   unless the turn names another.
3. A turn that points at the subject (这个指标由谁监测？) keeps the indicator and takes its own intent.
4. A region the corpus does not hold is refused for that turn only: the state does not change.
5. 回到刚才东城那个… restores the latest earlier subject about the named region.
6. 哪个更严/更高/多 compares the plans asked about under the current topic.
7. 市里 means the parent of the plan in question (东城 -> 北京市); where the corpus lacks it (曾都 -> 随州市),
   the formal 上级/市级 is refused as not collected and the colloquial 市里 means the corpus' city plan, noted.
"""

from __future__ import annotations

from pydantic import BaseModel

from assistant import lexicon
from assistant.answer import phrases
from assistant.answer.intent import Intent
from assistant.answer.parse import Turn, asks_of_document, asks_year, says
from assistant.compare import parent_plan, reference_doc
from assistant.models import DocMeta
from assistant.text import bigrams

NARROWING = 3  # a turn's own words this short (社区) that the earlier subject holds narrow it; longer ones ask anew
MAX_PAST = 8  # earlier subjects kept for 回到刚才…; a chat rarely goes back further


class Focus(BaseModel):
    """What the conversation is about after a turn."""

    text: str = ""  # the question, as asked
    doc_ids: list[str] = []
    indicator_keys: list[str] = []
    indicator_names: list[str] = []
    topic: str = ""
    population: str | None = None
    domain_key: str | None = None
    year: int | None = None
    intent: Intent = Intent.TARGET_VALUE
    asks_number: bool = False
    achieved: bool = False  # the turn asked what was reached (十三五期末实际…): 人大和政协的呢 asks the same
    context: str = ""  # 床位呢 after 每千名儿童儿科医生…: the earlier topic that frames this turn's own words
    sibling: bool = False  # 居委会成员呢 after 西城居委会主任…: the earlier question, of another subject, same plans


class DialogueState(BaseModel):
    focus: Focus | None = None
    past: list[Focus] = []  # earlier subjects, oldest first
    subjects: list[str] = []  # plans asked about under the current topic, in order (for 哪个更严)
    city_doc: str | None = None  # the plan 市里 meant last time it was resolved in this conversation
    home_doc: str | None = None  # the district plan a turn called its own (我们西城), for 咱区/我们区
    first_district: str | None = None  # the district plan the chat named first: 咱区 when no turn said which is its own


class Query(BaseModel):
    """One turn read in the light of the conversation: what the answer strategies see."""

    text: str  # this turn, normalised
    topic: str = ""  # what retrieval and sentence choice should match
    own_topic: str = ""  # this turn's own topic words, without what it inherits
    retrieval_text: str = ""
    doc_ids: list[str] = []
    unknown_regions: list[str] = []
    population: str | None = None
    domain_key: str | None = None
    indicator_keys: list[str] = []
    indicator_names: list[str] = []
    year: int | None = None
    intent: Intent = Intent.TARGET_VALUE
    asks_number: bool = False
    inherited: bool = False  # the turn took its subject from earlier turns
    history_text: str = ""  # topic words of the earlier subject
    which: str | None = None  # 哪个更严: stricter | higher | lower
    context: str = ""  # an outside figure the question mentions (国家纲要要求…)
    city_word: bool = False
    achieved: bool = False  # asks what was reached (发展基础, a work report), not a target
    achieved_said: bool = False  # …in its own words (十三五末实际…), not only by following such a turn
    earlier_text: str = ""  # the earlier question this turn continues (它的问法: 几条/哪天/文号)
    notes: list[str] = []  # said after the answer (曾都's 市里: its own parent plan is not collected)
    subjects_back: list[Focus] = []  # 这两个数/这俩: the earlier subjects the turn asks about again, oldest first


def _parent_plan(doc_ids: list[str], docs: list[DocMeta], remembered: str | None,
                 formal: bool = False) -> tuple[list[str], list[str], list[str]]:
    """(plans, unknown regions, notes) that 市里/市级 means for a question about these plans: their
    parent plans in the corpus. For a plan whose parent the corpus lacks (曾都 -> 随州市): said
    formally (上级/市级规划), that parent, unknown; said colloquially (市里呢), the corpus' city plan,
    with a note that the plan's own parent is not collected. With no plan in question, the plan 市里
    meant before, else the corpus' city-level plan."""
    by_id = {d.doc_id: d for d in docs}
    asked = [by_id[i] for i in doc_ids if i in by_id and by_id[i].kind == "plan"]
    ref = reference_doc(docs)
    if not asked:
        return ([remembered] if remembered in by_id else [ref.doc_id] if ref else []), [], []
    parents = [p.doc_id for d in asked if (p := parent_plan(d, docs))]
    if parents:
        return list(dict.fromkeys(parents)), [], []
    missing = [d for d in asked if d.parent_region]
    if formal or ref is None:
        return [], list(dict.fromkeys(d.parent_region for d in missing)), []
    notes = [phrases.CITY_MEANT.format(plan=d.short_name, parent=d.parent_region, city=ref.short_name) for d in missing]
    return [ref.doc_id], [], notes


def _plans_cover(year: int | None, docs: list[DocMeta]) -> bool:
    """Some plan's period holds the year (十四五的目标: 2025)."""
    return year is not None and any(d.kind == "plan" and d.covers(year) for d in docs)


def _year_document(year: int | None, docs: list[DocMeta]) -> str | None:
    """The one document that is not a plan whose years hold ``year`` when no plan's do (2018年全市…:
    the 2018 work report, not a plan of 2021–2025)."""
    if year is None or _plans_cover(year, docs):
        return None
    held = [d.doc_id for d in docs if d.kind != "plan" and d.covers(year)]
    return held[0] if len(held) == 1 else None


# 回到刚才东城那个养老，街道养老服务联合体是以什么为核心平台: a go-back turn whose own subject words run this
# long asks its own thing of the earlier plan (回到刚才东城那个普惠园，措施上咋写的 names 个普惠园写: 5)
GO_BACK_OWN = 10


def resolve(turn: Turn, state: DialogueState, docs: list[DocMeta]) -> Query:
    if turn.year is None and any(w in turn.text for w in lexicon.load("questions")["year_back_words"]):
        # 那一年市财政投了多少 after 2018年全市…？ and a turn about another thing: the year the chat named last
        said = [f.year for f in reversed([*state.past, state.focus] if state.focus else state.past) if f.year]
        turn = turn.model_copy(update={"year": said[0]}) if said else turn
    base = None if turn.new_topic else state.focus
    if turn.go_back and state.past:
        named = [f for f in reversed(state.past) if set(f.doc_ids) & set(turn.doc_ids)] or list(reversed(state.past))
        # 回到刚才西城那个体质指标: the earlier subject the turn names in its own words, else the latest
        said = bigrams(turn.core)
        base = next((f for f in named if said & bigrams(f.topic + "".join(f.indicator_names))), named[0])
    # a question about the document itself (这个规划哪天印发的) takes no content subject from earlier turns
    about_document = turn.intent == Intent.STRUCTURE and turn.intent_said
    # 东城社区的是多少 after 社区和村建家长学校的比例要求呢: a word of the earlier subject narrows it, no new subject
    # (a turn that asks its own thing, 有没有…目标, or 高中生呢 of no new plan, a sibling, does not narrow)
    narrows = base is not None and 0 < len(turn.core) <= NARROWING and not turn.indicator_keys and \
        not turn.intent_said and (not turn.parallel or bool(turn.doc_ids)) and \
        bigrams(turn.core) <= bigrams(base.topic + base.context + "".join(base.indicator_names))
    inherit = base is not None and not about_document and (turn.elliptical or narrows or turn.which is not None or
                                    ((turn.anaphora or turn.several) and not turn.indicator_keys) or
                                    (turn.go_back and not turn.indicator_keys and len(turn.core) < GO_BACK_OWN))
    parallel = base is not None and turn.parallel and not inherit  # 那低收入家庭的未成年人呢: same question, new subject
    doc_ids = list(turn.doc_ids)
    unknown = list(turn.unknown_regions)
    by_id = {d.doc_id: d for d in docs}
    home = _home(turn, state, docs)
    if home and home not in doc_ids and says(turn.text, "home_words") and \
            (not doc_ids or turn.which is not None or turn.compares):
        # 那咱区这个指标… after 市里呢: the own district; 曾都…要求多少，跟我们比谁高: one side of the comparison
        doc_ids = doc_ids + [home]
    if not doc_ids and says(turn.text, "report_pointers"):  # 这份总结里学前教育投了多少钱
        doc_ids = _report_in_chat(state, docs)
    notes: list[str] = []
    year_doc = _year_document(turn.year, docs) if not doc_ids and turn.intent != Intent.STATUS else None
    if year_doc:  # 2018年全市婚前医学检查率: the report of that year speaks of its own city
        doc_ids = [year_doc]
    # 第六次全市…会议 in a chat about the report: 全市 is still the report's city (市里十四五规划… is the plan)
    of_plans = "规划" in turn.text or _plans_cover(turn.year, docs)  # 十四五的目标
    in_report = not doc_ids and base is not None and bool(base.doc_ids) and not of_plans and \
        all(by_id[i].kind != "plan" for i in base.doc_ids if i in by_id) and not turn.parent_said
    if turn.city_word and not in_report and not any(by_id[i].kind != "plan" for i in doc_ids if i in by_id):
        # (2018年工作总结里全市…: the report speaks of its own city; 全市 does not add the city plan)
        # 市里呢 / 跟市里比呢 speak of the plan in question; 市里规划0-6岁儿童… asks its own question of the
        # city plan the conversation has meant so far (or the corpus' city-level plan)
        relative = turn.elliptical or turn.compares or bool(doc_ids)
        in_question = doc_ids or (base.doc_ids if base and relative else [])
        parents, missing, notes = _parent_plan(in_question, docs, state.city_doc, turn.parent_said)
        doc_ids = list(dict.fromkeys(doc_ids + parents))
        unknown += missing
    # 和市里比呢: both sides; 居委会主任里女性要占多少？跟东城对比一下: the plan in question, set against 东城
    if base is not None and turn.compares and doc_ids and (not turn.indicator_keys or len(turn.doc_ids) == 1) \
            and not says(turn.text, "home_words"):  # (跟我们比: our district is the other side, added above)
        doc_ids = list(dict.fromkeys(base.doc_ids + doc_ids))
    if not doc_ids and base is not None and not unknown:
        doc_ids = list(base.doc_ids)
    intent = turn.intent
    which = turn.which if base is not None or len(turn.doc_ids) >= 2 else None  # 东城和西城…谁定得更高: both named
    if (which or turn.both_plans) and len(state.subjects) >= 2 and not turn.doc_ids:
        # 哪个更严 / 两边分别多少: the plans set side by side so far (市里呢？三家里谁最高: and the city's)
        doc_ids = list(dict.fromkeys(list(state.subjects) + doc_ids))
    elif which and turn.doc_ids and base is not None and len(doc_ids) < 2:
        doc_ids = list(dict.fromkeys(base.doc_ids + doc_ids))  # 曾都这个指标定的多少？哪个高？ after 西城…
    if which and base is not None and len(doc_ids) < 2:  # 哪个多 after 东城床位…, 儿科医生呢, …, 曾都床位…
        doc_ids = list(dict.fromkeys(doc_ids + _plans_asked(state, turn.indicator_keys or base.indicator_keys)))
    # 策略措施呢？ after 主要目标有几条: the count of that section, not its measures
    # (策略措施一共几条？ too, a count naming a section marker, after any turn about a domain)
    section_count = base is not None and (
        (base.intent == Intent.STRUCTURE and bool(lexicon.marker_section(turn.topic))) or
        ((base.intent == Intent.STRUCTURE or bool(base.domain_key)) and turn.intent == Intent.STRUCTURE
         and not turn.domain_key and _names_marker(turn.text)))
    if which and len(doc_ids) >= 2:
        intent = Intent.COMPARE
    elif section_count:
        intent = Intent.STRUCTURE
    elif (inherit or parallel) and not turn.intent_said and not (base.intent == Intent.STRUCTURE and turn.indicator_keys) \
            and not (base.intent == Intent.MEASURE and turn.asks_number):  # 要降到具体多少 after 怎么要求: a figure
        intent = base.intent  # (西城2030年新生儿死亡率呢 after 几条: an indicator is content, not the document)
    q = Query(
        text=turn.text, topic=turn.topic, own_topic=turn.topic, doc_ids=doc_ids, unknown_regions=unknown,
        population=turn.population, domain_key=turn.domain_key,
        indicator_keys=turn.indicator_keys, indicator_names=turn.indicator_names, year=turn.year,
        intent=intent, asks_number=turn.asks_number, which=which, context=turn.context, city_word=turn.city_word,
        notes=notes,
        achieved=turn.achieved, achieved_said=turn.achieved)
    if inherit:
        q.indicator_keys = q.indicator_keys or base.indicator_keys
        q.indicator_names = q.indicator_names or base.indicator_names
        q.population = q.population or base.population
        q.domain_key = q.domain_key or base.domain_key
        # (十三五…实际做到多少 after 到2025年要达到多少: a reached value, not the target's year)
        q.year = q.year if q.year is not None else (None if turn.achieved else base.year)
        q.asks_number = q.asks_number or (base.asks_number and not turn.intent_said and not says(turn.text, "wording_asks"))
        q.achieved = q.achieved or (base.achieved and not turn.intent_said and turn.year is None)
        if turn.several >= 2:  # 西城这两个数: the subjects of the last turns, each answered
            q.subjects_back = _recent_subjects(state, turn.several)
        elif turn.doc_ids and not turn.core and not turn.indicator_keys and not turn.anaphora \
                and set(turn.doc_ids) != set(base.doc_ids):  # (东城这个指标呢: the latest subject only)
            # 曾都呢 after 西城居委会主任…？ 居委会成员呢？: each subject asked of the last plans, asked of this one
            q.subjects_back = _sibling_run(state)
        if q.subjects_back:  # the turn is about all of them: a later 哪个高 compares each
            q.indicator_keys = list(dict.fromkeys(k for f in q.subjects_back for k in f.indicator_keys))
            q.indicator_names = list(dict.fromkeys(n for f in q.subjects_back for n in f.indicator_names))
        q.history_text = base.topic
        q.inherited = True
        q.earlier_text = base.text
        q.topic = " ".join(x for x in (turn.topic, _swap_population(base.topic, base.population, turn.population)) if x)
    elif parallel:
        q.earlier_text = base.text
        q.achieved = q.achieved or (base.achieved and turn.year is None)  # 那十四五…: a target again
        q.history_text = base.topic  # 床位呢: 床位 in the frame of 每千名儿童…
        q.year = q.year if q.year is not None else base.year
        q.asks_number = q.asks_number or (base.asks_number and not says(turn.text, "wording_asks"))
        q.population = q.population or base.population
    elif base is not None and turn.asks_number and not turn.doc_ids and not turn.indicator_keys and \
            not turn.new_topic and len(turn.core) <= FRAMED_TURN:
        q.history_text = base.topic  # 覆盖率到多少了 after …新建了多少个儿童之家: its own subject, in the earlier frame
    if base is not None and (inherit or parallel) and not turn.indicator_keys and \
            (siblings := lexicon.narrower_named(base.indicator_keys, turn.text)):
        q.indicator_keys = q.indicator_names = siblings  # 初中高中呢 after 小学生近视率…: those two, asked the same way
        q.year = q.year if q.year is not None else base.year
        q.asks_number = q.asks_number or base.asks_number
    if turn.year is None and q.year is not None and q.doc_ids and all(
            i in by_id and by_id[i].kind == "plan" and not by_id[i].covers(q.year)
            for i in q.doc_ids):  # 那东城…有什么措施 after 曾都2030年那个…: 2030 was 曾都's year, not 东城's
        q.year = None
    if turn.adds and base is not None and turn.indicator_keys and base.indicator_keys and not inherit:
        # 东城呢？居委会主任也一起说下: the earlier indicator, of the plan now named, and this one with it
        q.indicator_keys = list(dict.fromkeys(base.indicator_keys + turn.indicator_keys))
        q.indicator_names = list(dict.fromkeys(base.indicator_names + turn.indicator_names))
        q.topic = " ".join(x for x in (turn.topic, base.topic) if x)
        q.year = q.year if q.year is not None else base.year
        q.history_text = base.topic
    if (about_document and base is not None and says(turn.text, "area_words")) or section_count:
        # 市里这一块几条 after 东城妇女与经济这一块…几条: the document's count, of the earlier part and domain
        q.domain_key = q.domain_key or base.domain_key
        q.population = q.population or base.population
    if q.intent == Intent.FACT and q.indicator_keys and asks_year(turn.text) and not asks_of_document(turn.text):
        q.intent = Intent.TARGET_VALUE  # 课桌椅达标率是到哪一年要达到的 / 这是到哪年的: the target, with its year
    if len(q.doc_ids) >= 2 and q.intent in (Intent.TARGET_VALUE, Intent.TARGET_LIST) and q.indicator_keys:
        q.intent = Intent.COMPARE
    q.retrieval_text = q.topic or q.text
    if parallel and not q.inherited and not turn.intent_said and len(turn.core) <= FRAMED_TURN and base.topic:
        q.retrieval_text = f"{q.topic} {base.topic}"  # 初中、高中呢 after 小学生睡眠时间…: searched in that frame
    return q


def _names_marker(text: str) -> bool:
    """The text names a section a domain is divided into (主要目标 / 策略措施)."""
    return any(lexicon.marker_section(n) for s in lexicon.load("sections")["sections"] for n in s["names"] if n in text)


FRAMED_TURN = 4  # characters of subject a figure question may name and still sit in the earlier frame (覆盖率)
DISTRICT_LEVELS = ("区", "县")  # a staff member's 咱区 is a district or county, not the city


def _plans_asked(state: DialogueState, keys: list[str]) -> list[str]:
    """The plans the conversation asked this indicator of, latest first (a turn about another thing
    in between does not end it)."""
    if not keys:
        return []
    turns = reversed([*state.past, state.focus] if state.focus else state.past)
    return list(dict.fromkeys(i for f in turns if set(keys) & set(f.indicator_keys) for i in f.doc_ids))


def _recent_subjects(state: DialogueState, n: int) -> list[Focus]:
    """The subjects of the latest turns, oldest first: 这两个数 after 儿科医生…？ then 床位呢？ means both."""
    out: list[Focus] = []
    for f in reversed([*state.past, state.focus] if state.focus else state.past):
        if not any(f.topic == o.topic and f.indicator_keys == o.indicator_keys for o in out):
            out.insert(0, f)
        if len(out) >= n:
            break
    return out if len(out) >= 2 else []


def _sibling_run(state: DialogueState) -> list[Focus]:
    """The subjects asked in turn of the latest plans (主任…？ then 成员呢？), oldest first; [] for one."""
    if state.focus is None or not state.focus.sibling:
        return []
    run = [state.focus]
    for f in reversed(state.past):
        if f.doc_ids != state.focus.doc_ids or any(f.topic == o.topic for o in run) or f.achieved != state.focus.achieved:
            break  # (那十四五…定的多少 after 十三五期末…实际: a target now, not one more reached value)
        run.insert(0, f)
        if not f.sibling:
            break
    return run if len(run) >= 2 else []


def _swap_population(topic: str, old: str | None, new: str | None) -> str:
    """换成儿童的呢: the earlier topic, about the other population."""
    if old and new and old != new:  # 七普…女性占多少 -> 儿童呢: every word for the old population
        for w in sorted(lexicon.load("questions")["populations"][old], key=len, reverse=True):
            topic = topic.replace(w, new)
    return topic


def advance(state: DialogueState, turn: Turn, docs: list[DocMeta], query: Query | None = None) -> DialogueState:
    """The state after a turn. A turn about a place the corpus lacks, or with no Chinese, leaves it."""
    query = query or resolve(turn, state, docs)
    if query.unknown_regions or not turn.text:
        return state
    # 这个指标由谁负责监测 / 那有什么措施: a question about the earlier subject asks something new of it;
    # the subject stays what it was, so the next turn does not search for 监测 or 措施
    keep_subject = query.inherited and state.focus is not None and not turn.indicator_keys and \
        (turn.anaphora or query.intent != state.focus.intent)
    focus = Focus(text=query.text if not query.inherited else (state.focus.text if state.focus else query.text),
                  doc_ids=query.doc_ids, indicator_keys=query.indicator_keys, indicator_names=query.indicator_names,
                  topic=state.focus.topic if keep_subject else query.topic,
                  population=query.population, domain_key=query.domain_key, year=query.year,
                  intent=query.intent, asks_number=query.asks_number, achieved=query.achieved,
                  context=query.history_text if not query.inherited else "",
                  sibling=turn.parallel and not query.inherited and state.focus is not None and not turn.doc_ids
                  and query.doc_ids == state.focus.doc_ids and not query.subjects_back)
    same_topic = query.inherited or (state.focus is not None and bool(query.indicator_keys)  # (…也说下: and more)
                                     and set(state.focus.indicator_keys) <= set(query.indicator_keys))
    subjects = list(state.subjects) if same_topic else []
    subjects = list(dict.fromkeys(subjects + [i for i in query.doc_ids]))
    past = (state.past + [state.focus])[-MAX_PAST:] if state.focus else []
    city_doc = state.city_doc
    if turn.city_word:  # remember which plan 市里 turned out to be
        plans = {d.doc_id for d in docs if d.kind == "plan"}  # (2018年全市…: the report is no city plan)
        city_doc = next((i for i in query.doc_ids if i in plans and i not in turn.doc_ids
                         and i not in (state.focus.doc_ids if state.focus else [])), city_doc)
    own = _districts(turn.own_doc_ids, docs)
    return DialogueState(focus=focus, past=past, subjects=subjects, city_doc=city_doc,
                         home_doc=own[0] if own else state.home_doc,
                         first_district=state.first_district or next(iter(_districts(turn.doc_ids, docs)), None))


def _report_in_chat(state: DialogueState, docs: list[DocMeta]) -> list[str]:
    """The work report the chat asked about last, else the corpus' only report ([] when it has several)."""
    reports = {d.doc_id for d in docs if d.kind != "plan"}
    for f in reversed([*state.past, state.focus] if state.focus else state.past):
        if said := [i for i in f.doc_ids if i in reports]:
            return said[:1]
    return list(reports) if len(reports) == 1 else []


def _districts(doc_ids: list[str], docs: list[DocMeta]) -> list[str]:
    if not doc_ids:  # most turns name no plan: no map of every document to build
        return []
    by_id = {d.doc_id: d for d in docs}
    return [i for i in doc_ids if i in by_id and by_id[i].kind == "plan" and by_id[i].level in DISTRICT_LEVELS]


def _home(turn: Turn, state: DialogueState, docs: list[DocMeta]) -> str | None:
    """The district 咱区 means: the one a turn called its own (我们西城), else the district plan the chat named
    first (东城这边… then 咱区…), else the one this turn names (我在写东城的材料，咱区…); a chat that never names a
    district keeps reading 咱区 as the plan in question."""
    own = _districts(turn.own_doc_ids, docs)
    return (own[0] if own else None) or state.home_doc or state.first_district or \
        next(iter(_districts(turn.doc_ids, docs)), None)


def replay(history: list[str], docs: list[DocMeta], read) -> DialogueState:
    """The state after the earlier turns of a conversation (oldest first)."""
    state = DialogueState()
    for h in history:
        state = advance(state, read(h), docs)
    return state
