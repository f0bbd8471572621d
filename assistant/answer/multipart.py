"""Multi-part questions: "中期评估谁来组织？第几年搞？", "学前教育、基础教育扩优、课后服务上分别投了多少钱".
Each part is read on its own (taking from the whole question what it leaves out) and routed on its
own; the router joins the answers."""

from __future__ import annotations

import re

from assistant.answer.intent import Intent
from assistant.answer.parse import MIN_CORE, asks_of_document, read_turn, says, subject_words
from assistant.answer.state import Query
from assistant.models import DocMeta
from assistant.text import longest_first

MAX_PARTS = 4  # parts of one turn answered separately; more is a list question
ASK = re.compile(r"多少|多大|几|什么|哪|怎么|如何|是否|谁")
SPLIT = re.compile(r"(?<=[？?；;])|(?<=[，,、])(?=[^，,、]*(?:多少|多大|几|什么|哪|谁))")  # 常住人口多少、女性多少
EACH = re.compile(r"分别|各(?=是|定|投|要|有|多少|自|控制|降|达|为)")
ENUM_START = re.compile(r".*[，,：:在对里给]")
ENUM_SEP = re.compile(r"、|和|及|与")
MIN_ITEM = 2  # an enumerated item shorter than this is a word fragment, not a subject
SHORT_ITEM = 3  # an item this short (5岁、小学) names a kind; the last item's noun is its subject too
LEAD_OF = re.compile(r".*的(?=[^的]*(?:、|和|及|与))")  # 每千名儿童的 儿科医生和床位: what each item belongs to
NUMBER_HEAD = re.compile(r"\d+(?:\.\d+)?[^\d]")  # 5岁 / 12岁: a number and its unit


def sub_questions(text: str) -> list[str]:
    """学前教育投了多少？课后服务呢？ -> two parts; a single question stays one."""
    asks, lead = [], ""
    for s in (s for s in SPLIT.split(text) if s.strip("，,？?；; ")):
        if ASK.search(s) or s.rstrip("？?").endswith("呢"):
            asks.append(lead + s)
            lead = ""
        else:  # 宫颈癌筛查，…要多少？ : a clause that asks nothing belongs to the question after it
            lead += s
    for i in range(len(asks) - 1, 0, -1):
        if _bare_ellipsis(asks[i - 1]) and len(subject_words(asks[i])) < MIN_CORE:
            asks[i - 1:i + 1] = [asks[i - 1] + asks[i]]  # 乳腺癌筛查率呢？具体定了多少: one question, said in two
    return asks[:MAX_PARTS] if len(asks) > 1 else [text]


def _bare_ellipsis(part: str) -> bool:
    """乳腺癌呢？: a subject and 呢, no ask of its own."""
    return not ASK.search(part) and part.rstrip("？?").endswith("呢")


def separate_questions(text: str) -> bool:
    """Two or more asks in separate clauses (谁来组织？第几年搞？), not one ask over a list."""
    return len(sub_questions(text)) > 1


def enumerated(text: str, docs: list[DocMeta]) -> list[str]:
    """A、B、C上分别投了多少钱 -> A上投了多少钱, B上…; [] when the question lists no subjects."""
    m = EACH.search(text)
    if not m:
        return []
    before, after = text[: m.start()], text[m.end() :]
    head = ENUM_START.match(before) or LEAD_OF.match(before)
    lead, listed = (before[: head.end()], before[head.end() :]) if head else ("", before)
    names = [n for d in docs for n in [d.region, *d.region_aliases]]
    if named := next((n for n in longest_first(names) if listed.startswith(n)), None):
        lead, listed = lead + named, listed[len(named):]  # 曾都新生儿…、听力筛查…分别: the plan leads, it is no item
    items = _shared_noun([i for i in ENUM_SEP.split(listed) if i])
    if len(items) < 2 or any(len(i) < MIN_ITEM for i in items) or any(n in listed for n in names):
        return []
    return [lead + i + after for i in items][:MAX_PARTS]


def _shared_noun(items: list[str]) -> list[str]:
    """5岁和12岁孩子的龋齿 -> 5岁孩子的龋齿, 12岁孩子的龋齿: a short item shares the last item's noun."""
    if len(items) < 2:
        return items
    last = items[-1]
    out = []
    for i in items[:-1]:
        m = NUMBER_HEAD.match(last) if NUMBER_HEAD.fullmatch(i) else None
        head = m.end() if m else len(i)
        if len(i) <= SHORT_ITEM and len(last) > head + 1:
            i += last[head:]
        out.append(i)
    return out + [last]


def split(q: Query, docs: list[DocMeta]) -> list[Query]:
    """The parts of a question as queries, or [] when it is one question."""
    if q.subjects_back:  # 西城这两个数是多少: each earlier subject, asked of this turn's plans
        return [q.model_copy(update={
            "topic": f.topic, "own_topic": f.topic, "retrieval_text": f.topic or q.text,
            "indicator_keys": f.indicator_keys, "indicator_names": f.indicator_names,
            "intent": f.intent if f.intent in (Intent.TARGET_VALUE, Intent.FACT) else q.intent,
            "asks_number": True, "achieved": f.achieved or q.achieved, "subjects_back": [],
            "earlier_text": f.text, "inherited": False, "history_text": f.context}) for f in q.subjects_back]
    pieces = sub_questions(q.text)
    listed = enumerated(q.text, docs) if len(pieces) < 2 else []
    # 床位、儿科医生、社区儿保医生各是多少 with two of three items known indicators: each item is a part
    together = len(q.indicator_keys) >= 2 and len(pieces) < 2 and len(listed) <= len(q.indicator_keys)
    if len(q.doc_ids) >= 2 or together or q.intent == Intent.STRUCTURE \
            or (q.intent == Intent.FACT and asks_of_document(q.text)):
        return []  # a comparison, several indicators one strategy answers together, or the document itself
    if q.intent == Intent.TARGET_LIST and len(pieces) >= 2 and len(read_turn(pieces[-1], docs).core) < MIN_CORE:
        return []  # 都投了哪些钱，各多少: one list, its figure asked for each item, not a second question
    if len(pieces) < 2:
        pieces = listed
    if len(pieces) < 2:
        return []
    turns = [read_turn(p, docs) for p in pieces]
    named_year = any(t.year is not None for t in turns)
    out, year = [], None if named_year else q.year
    for i, t in enumerate(turns):
        frame = ""
        if i and not ASK.search(t.text) and t.text.rstrip("？?").endswith("呢"):
            # 每个街道至少配几名社会工作者？区级儿童服务类社会组织呢: the part before's question, of this subject
            # (床位呢 after 每千名儿童儿科医生多少: in the frame of the part before)
            t = t.model_copy(update={"intent": turns[i - 1].intent, "asks_number": turns[i - 1].asks_number})
            frame = turns[i - 1].topic
        year = t.year if t.year is not None else year  # 2018年…？…按什么比例发？: a year carries forward
        bare = not t.indicator_keys and len(t.core) < MIN_CORE
        topic = " ".join(x for x in (t.topic, q.topic if bare else "") if x)
        out.append(q.model_copy(update={
            "text": t.text, "topic": topic, "own_topic": t.topic, "retrieval_text": topic or t.text,
            "doc_ids": t.doc_ids or q.doc_ids,
            "indicator_keys": t.indicator_keys or (q.indicator_keys if bare else []),
            "indicator_names": t.indicator_names or (q.indicator_names if bare else []),
            # (十三五末…是多少，十四五又要求到多少: the second part asks the target, not what was reached)
            "year": year, "achieved": t.achieved or (q.achieved and t.year is None and not says(t.text, "target_said_words")),
            "intent": t.intent if t.intent_said or not bare else q.intent,
            "asks_number": t.asks_number or (bare and q.asks_number),
            "population": t.population or q.population, "domain_key": t.domain_key or q.domain_key,
            "history_text": frame or q.history_text}))
    return out
