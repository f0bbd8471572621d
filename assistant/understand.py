"""Read a staff question (and the turns before it) into a structured query."""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel

from assistant import lexicon
from assistant.models import DocMeta
from assistant.text import norm

MAX_QUESTION = 2000  # characters kept; longer input is cut, never rejected silently


class Query(BaseModel):
    text: str  # the question as asked (normalised, simplified)
    topic: str = ""  # this turn's topic words (no region, no question words)
    retrieval_text: str  # topic plus what the earlier turns contribute
    doc_ids: list[str] = []
    unknown_regions: list[str] = []
    population: str | None = None
    domain_key: str | None = None
    indicator_keys: list[str] = []
    indicator_names: list[str] = []  # the words that matched, as asked
    year: int | None = None
    intent: str = "target_value"
    asks_number: bool = False
    inherited: bool = False
    history_text: str = ""  # topic words of the earlier turns


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented

    return opencc.OpenCC("t2s")


def clean(question: str) -> str:
    """NFKC, simplified characters, no control characters, bounded length."""
    q = "".join(ch for ch in question if ch.isprintable() or ch in "\n\t")
    q = _t2s().convert(q[:MAX_QUESTION])
    return norm(q)


def find_indicators(text: str) -> list[tuple[str, str]]:
    """(name, key) for each non-overlapping lexicon name in text, longest first, in text order.

    拥有的床位数 and 拥有床位数 are the same words: 的 is ignored on both sides."""
    text = text.replace("的", "")
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


def region_names(doc: DocMeta) -> list[str]:
    names = {doc.region, *doc.region_aliases}
    if doc.region.endswith(("区", "县", "市")) and len(doc.region) > 2:
        names.add(doc.region[:-1])
    return sorted((norm(n) for n in names), key=len, reverse=True)


def find_docs(text: str, docs: list[DocMeta]) -> list[str]:
    """Plans the text names, in order of mention. A work report is named only by its own words.

    北京市东城区 names the district; the city counts only where it is named outside a
    district's full name (和全市比呢)."""
    hits: list[tuple[int, str]] = []
    plans = [d for d in docs if d.kind == "plan"]
    for d in docs:
        names = region_names(d) if d.kind == "plan" else [norm(a) for a in d.region_aliases]
        pos = [text.find(n) for n in names if n in text]
        if pos:
            hits.append((min(pos), d.doc_id))
    ids = [i for _, i in sorted(hits)]
    by_id = {d.doc_id: d for d in docs}
    for city in plans:
        districts = [d for d in plans if d.doc_id in ids and d.parent_region == city.region]
        if city.doc_id in ids and districts and not _named_alone(text, city, districts):
            ids.remove(city.doc_id)
    return [i for i in ids if i in by_id]


def _named_alone(text: str, city: DocMeta, districts: list[DocMeta]) -> bool:
    stripped = text
    for d in districts:
        for n in region_names(d):
            if any(c in n for c in region_names(city)):
                stripped = stripped.replace(n, "")
    return any(n in stripped for n in region_names(city))


def understand(question: str, history: list[str], docs: list[DocMeta]) -> Query:
    q = _read(clean(question), docs)
    for turn in reversed(history or []):
        prev = _read(clean(turn), docs)
        q = _inherit(q, prev, docs)
    return q


def _read(text: str, docs: list[DocMeta]) -> Query:
    lex = lexicon.load("questions")
    found = find_indicators(text)
    doc_ids = find_docs(text, docs)
    unknown = [r for r in lex["other_regions"] if norm(r) in text]
    pops = [p for p, words in lex["populations"].items() if any(w in text for w in words)]
    year = None
    if m := re.search(r"(20\d\d)年", text):
        year = int(m.group(1))
    else:
        for word, y in sorted(lex["years"].items(), key=lambda x: -len(x[0])):
            if word in text:
                year = y
                break
    domain_key = _domain(text)
    intent = "target_value"
    plain = re.sub(r"[“”\"‘’'《》]", "", text)
    for name in ("achieved", "compare", "owner", "fact", "target_list", "measure", "target_value"):
        if any(w in plain for w in lex["intents"][name]):
            intent = name
            break
    plans = [i for i in doc_ids if next(d for d in docs if d.doc_id == i).kind == "plan"]
    if len(plans) >= 2 and intent in ("target_value", "compare", "target_list"):
        intent = "compare"
    if intent == "compare" and len(plans) < 2 and not any(w in text for w in [*lex["city_words"], *lex["all_plans_words"], "比呢"]):
        intent = "target_value"
    if intent == "achieved":
        intent = "fact"  # achieved figures are read from the clauses, never from the targets table
    asks = any(w in plain.replace("哪几", "") for w in lex["asks_number"])
    t = topic(text, docs)
    return Query(text=text, topic=t, retrieval_text=t or text, doc_ids=doc_ids, unknown_regions=unknown,
                 population=pops[0] if len(pops) == 1 else None, domain_key=domain_key,
                 indicator_keys=[k for _, k in found], indicator_names=[n for n, _ in found],
                 year=year, intent=intent, asks_number=asks)


def topic(text: str, docs: list[DocMeta]) -> str:
    """The question without region names and question words: what retrieval should match."""
    out = text
    for d in docs:
        for n in region_names(d):
            out = out.replace(n, " ")
    for w in sorted(lexicon.load("questions")["query_stopwords"], key=len, reverse=True):
        out = out.replace(w, " ")
    out = re.sub(r"[？?！!。，,、“”\"（）()]", " ", out)
    out = " ".join(out.split())
    extra = [v for k, v in lexicon.load("questions").get("synonyms", {}).items() if k in text]
    return " ".join([out, *extra]).strip()


def _domain(text: str) -> str | None:
    for m in re.finditer(r"(?=(妇女|儿童)(与|参与)?([\u4e00-\u9fff]{2,6}?)(领域|这块|方面))", text):
        key = lexicon.domain_key(m.group(1) + (m.group(2) or "") + m.group(3)) or lexicon.domain_key(m.group(1) + "与" + m.group(3))
        if key:
            return key
    pop = "儿童" if "儿童" in text and "妇女" not in text else "妇女"
    for m in re.finditer(r"(?=([\u4e00-\u9fff]{2,6})(领域|这块|方面))", text):  # 社会保障领域
        for cut in range(len(m.group(1)) - 1):
            if key := lexicon.domain_key(pop + "与" + m.group(1)[cut:]):
                return key
    m = re.search(r"(妇女|儿童)(与|参与)([\u4e00-\u9fff]{2,6})", text)
    if m:
        for cut in range(len(m.group(3)), 1, -1):
            if k := lexicon.domain_key(m.group(1) + m.group(2) + m.group(3)[:cut]):
                return k
    return None


def _inherit(q: Query, prev: Query, docs: list[DocMeta]) -> Query:
    """Fill what a follow-up leaves out from the turn before it."""
    upd: dict = {}
    is_followup = len(q.text) <= 24 or q.text.startswith(("那", "和", "跟", "再", "还有"))
    if not is_followup:
        return q
    if not q.doc_ids and prev.doc_ids:
        upd["doc_ids"] = prev.doc_ids
    elif q.doc_ids and prev.doc_ids and any(w in q.text for w in ("比", "对比", "相比")):
        upd["doc_ids"] = list(dict.fromkeys(prev.doc_ids + q.doc_ids))
        upd["intent"] = "compare"
    if not q.indicator_keys and prev.indicator_keys and not _names_new_subject(q):
        upd["indicator_keys"] = prev.indicator_keys
        upd["indicator_names"] = prev.indicator_names
    if q.population is None:
        upd["population"] = prev.population
    if q.domain_key is None:
        upd["domain_key"] = prev.domain_key
    if q.year is None and prev.year is not None:
        upd["year"] = prev.year
    if "intent" not in upd and q.intent in ("target_value",) and prev.intent in ("owner", "fact", "measure", "target_list"):
        if not q.indicator_keys:
            upd["intent"] = prev.intent
    upd["asks_number"] = q.asks_number or prev.asks_number
    upd["retrieval_text"] = q.retrieval_text + " " + prev.retrieval_text
    upd["history_text"] = (q.history_text + " " + prev.retrieval_text).strip()
    upd["inherited"] = True
    return q.model_copy(update=upd)


def _names_new_subject(q: Query) -> bool:
    """那低收入家庭里的未成年人呢: a new subject, so the earlier indicator does not carry over;
    西城区定的是多少 names none."""
    core = q.topic.split(" ")[0]
    core = re.sub(r"^(那么|那|和|跟)|呢|20\d\d年?|[？?！!。，,]", "", core)
    return len(core) >= 2
