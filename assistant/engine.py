"""The answer engine: question -> exact figures from the targets table, clauses from retrieval,
and a plain refusal when the corpus does not hold the answer."""

from __future__ import annotations

import logging
import math
import re
import threading
from functools import cached_property

from assistant import compose, lexicon
from assistant.compare import CompareTable, compare, reference_doc
from assistant.config import Settings
from assistant.guard import check
from assistant.ingest.owners import plan_rule
from assistant.models import Answer, Citation, Clause, DocMeta, Target
from assistant.retrieve import Filters, Retriever
from assistant.store.db import load_tables
from assistant.text import norm, trim_history
from assistant.understand import Query, find_indicators, region_names, understand

log = logging.getLogger(__name__)
MAX_INPUT = 10_000
DATE = re.compile(r"\d{4}年?\d{1,2}月?\d{1,2}日|\d{1,2}月\d{1,2}日")
ANSWER_TYPES = [  # (words in the question, pattern the answer sentence must hold)
    (("哪天", "几号", "日期", "什么时候开"), DATE),
    (("第几年", "哪一年", "哪年"), re.compile(r"第[\d一二三四五六七八九十]+年|\d+—\d+年|20\d\d年")),
    (("几月",), re.compile(r"\d{1,2}月")),
    (("多长时间", "多久", "多长"), re.compile(r"\d+(?:\.\d+)?(?:小时|分钟|天|年|个月)")),
    (("亿元", "万元", "多少钱", "多少经费", "多少专项经费", "多少资金"), re.compile(r"\d+(?:\.\d+)?(?:亿|万)元")),
    (("百分之", "%", "比例", "率", "占比", "多大比例"), re.compile(r"\d+(?:\.\d+)?[%‰]|百分之|万分之|一半|\d+/10万")),
    (("多少年",), re.compile(r"\d+(?:\.\d+)?年(?!\d)")),
    (("几个", "几张", "几名", "几所", "几次", "几家", "几项"),
     re.compile(r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十两]+)(?:个(?!月)|张|名|所|次|家|项)")),
]
BARE_FIGURE = 12  # a phrase this short is a figure that takes its meaning from its neighbours
MAX_PLANS = 8  # a question naming no plan is answered from at most this many plans' clauses
MEASURE_SENTENCES = 4  # a measure is quoted up to this many sentences
TOPIC_COVERAGE = 0.4  # a figure's phrase must hold this share of the question's topic bigrams…
TOPIC_HITS = 3  # …or at least this many of them
OWNER_WORDS = ("牵头", "负责", "设立", "组成", "部署", "代表政府")
# a figure, not an age (3岁以下), a span (6个月) or a year (2025年)
ANY_NUMBER = re.compile(r"(?<![\d.])(?!20\d\d年)\d+(?:\.\d+)?(?![\d.]|岁|周岁|个月)|[一二三四五六七八九十两]+[个张名所家次项]|万分之|一半")


class Engine:
    _cache: dict[tuple, "Engine"] = {}
    _lock = threading.Lock()

    def __init__(self, settings: Settings):
        self.settings = settings
        data = load_tables(settings.corpus_dir, settings.db_path)
        self.docs: list[DocMeta] = data.docs
        self.clauses: list[Clause] = data.clauses
        self.all_targets: list[Target] = data.targets
        self.errors = data.errors
        self._clause = {c.clause_id: c for c in self.clauses}
        self._clause_norm = {c.clause_id: norm(c.text) for c in self.clauses}  # normalised once, matched per question
        self._rules: dict[str, tuple[str, str, str] | None] = {}
        self._first_plan_year = min((d.period_start for d in self.docs if d.kind == "plan"), default=0)
        self._by_doc: dict[str, list[Target]] = {}
        self._by_key: dict[str | None, list[Target]] = {}
        for t in self.all_targets:  # lookups stay per-plan as the corpus grows
            self._by_doc.setdefault(t.doc_id, []).append(t)
            self._by_key.setdefault(t.indicator_key, []).append(t)
        self._doc = {d.doc_id: d for d in self.docs}
        self.retriever = Retriever(settings, self.clauses, self.docs, corpus_fingerprint=data.fingerprint)

    @classmethod
    def load(cls, settings: Settings | None = None) -> "Engine":
        settings = settings or Settings.load()
        key = (str(settings.corpus_dir), str(settings.index_dir), settings.embed_backend, settings.embed_model)
        with cls._lock:
            if key not in cls._cache:
                cls._cache[key] = cls(settings)
            return cls._cache[key]

    # ---- lookups used by the UI and the CLI -------------------------------------------------
    def clause(self, clause_id: str) -> Clause | None:
        return self._clause.get(clause_id)

    def doc(self, doc_id: str) -> DocMeta:
        return self._doc[doc_id]

    def targets(self, doc_id=None, indicator=None, population=None, domain_key=None, year=None, text=None) -> list[Target]:
        out = []
        for t in self.all_targets:
            if t.kind != "target" or (doc_id and t.doc_id != doc_id) or (population and t.population != population):
                continue
            if domain_key and t.domain_key != domain_key:
                continue
            if year and t.year not in (year, None):
                continue
            if indicator and indicator != t.indicator_key and norm(indicator) not in norm(t.indicator):
                continue
            if text and norm(text) not in norm(t.quote + t.indicator):
                continue
            out.append(t)
        return out

    @cached_property
    def _indicator_keys(self) -> list[str]:
        return sorted({t.indicator_key for t in self.all_targets if t.indicator_key and t.value_num is not None and t.kind == "target"})

    def indicator_keys(self) -> list[str]:
        return self._indicator_keys

    def resolve_indicator(self, indicator: str) -> str | None:
        if indicator in self._indicator_keys:
            return indicator
        found = find_indicators(norm(indicator))
        return found[0][1] if found else None

    def compare(self, indicator: str, year: int | None = None, doc_ids: list[str] | None = None) -> CompareTable:
        key = self.resolve_indicator(indicator) or indicator
        table = compare(key, self.docs, self._by_key.get(key, []), doc_ids, year)
        for r in table.rows:
            if r.clause_id:
                r.label = self._clause[r.clause_id].label
        return table

    def alignment(self) -> list[dict]:
        ref = reference_doc(self.docs)
        if ref is None:
            return []
        out = []
        seen = set()
        for t in self.all_targets:
            if t.doc_id != ref.doc_id or t.kind != "target" or t.value_num is None or not t.indicator_key:
                continue
            if t.indicator_key in seen:
                continue
            seen.add(t.indicator_key)
            table = self.compare(t.indicator_key)
            row = {"indicator_key": t.indicator_key, "city": f"{t.quote}"}
            for r in table.rows:
                if r.doc_id != ref.doc_id:
                    row[r.plan] = r.verdict + (f"（{r.value}）" if r.value else "")
            out.append(row)
        return out

    # ---- answering ----------------------------------------------------------------------
    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        history = trim_history(history)  # MAX_HISTORY_TURNS / _CHARS caps, whatever the caller sent
        if not question or not question.strip():
            return Answer(answer="请输入问题，例如：东城区孕产妇死亡率目标是多少？", answerable=False, intent="empty")
        if len(question) > MAX_INPUT:
            return Answer(answer="问题太长了。请把问题缩短到一万字以内，一次问一件事。",
                          answerable=False, intent="too_long")
        q = understand(question, history, self.docs)
        if not re.search(r"[\u4e00-\u9fff]", q.text):
            return Answer(answer="请用中文提问，例如：西城区适龄儿童入园率要保持在什么水平？本助手只回答规划文本中的内容。",
                          answerable=False, intent="unsupported")
        answer = self._answer(q)
        bad = check(answer, self.clause)
        if bad:  # never let a number through that no cited clause holds
            log.error("numeric guard removed an answer carrying %s for %r", bad, question)
            answer = Answer(answer="抱歉，这个问题我无法给出有出处的数字答案。请换个问法，或查看下列条款原文。",
                            answerable=False, citations=answer.citations, intent=answer.intent)
        return answer

    def _scope(self, q: Query, plans_only: bool) -> list[DocMeta]:
        docs = [self._doc[i] for i in q.doc_ids] if q.doc_ids else list(self.docs)
        if q.doc_ids and not plans_only:  # the city named means its work reports too, unless a plan is asked
            regions = {d.region for d in docs}
            about_plan = "规划" in q.text and not re.search(r"20(0\d|1\d)年", q.text)
            docs += [d for d in self.docs if d.region in regions and d not in docs and not about_plan]
        if plans_only:
            docs = [d for d in docs if d.kind == "plan"]
        return docs

    def _answer(self, q: Query) -> Answer:
        if q.unknown_regions and not q.doc_ids:
            names = "、".join(d.region for d in self.docs if d.kind == "plan")
            return Answer(answer=f"语料中没有{q.unknown_regions[0]}的规划，无法回答。目前收录的规划覆盖：{names}。",
                          answerable=False, intent=q.intent)
        if q.intent == "compare":
            return self._compare(q)
        if q.intent == "target_list":
            return self._target_list(q)
        if q.intent in ("fact", "owner") and (a := self._doc_fact(q)):
            return a
        if q.intent == "target_value" and q.domain_key and not q.indicator_keys and "目标" in q.text:
            return self._target_list(q)
        past = q.year is not None and q.year < self._first_plan_year
        if q.intent == "target_value" and q.indicator_keys and not past:
            return self._target_value(q)
        return self._from_clauses(q)

    # target values --------------------------------------------------------------------------
    def _rows(self, doc: DocMeta, keys: list[str], year: int | None) -> list[Target]:
        rows = [t for t in self._by_doc.get(doc.doc_id, []) if t.kind == "target" and t.indicator_key in keys]
        if year is not None:
            rows = [t for t in rows if t.year == year or (t.year is None and year == doc.period_end)]
        numeric = [t for t in rows if t.value_num is not None]
        return numeric or rows

    def _target_value(self, q: Query) -> Answer:
        docs = self._scope(q, plans_only=True)
        parts, cites, used, missing = [], [], [], []
        for d in docs:
            if q.year and q.year > d.period_end:
                if q.doc_ids:
                    missing.append(f"所问年份超出了{d.short_name}的规划期，该规划没有那一年的目标")
                continue
            rows = self._rows(d, q.indicator_keys, q.year)
            if q.asks_number and not any(r.value_num is not None for r in rows):
                if not q.doc_ids:  # every plan was asked: those without a typed figure stay out
                    continue
                hit = self._clause_with_figure(q, d)
                if hit:
                    clause, sents = hit
                    parts.append(f"**{d.short_name}**：{compose.quote_block(clause, sents)}")
                    cites.append(compose.cite(clause, "".join(sents)))
                    continue
                if q.doc_ids:
                    missing.append(f"{d.short_name}没有为“{'、'.join(q.indicator_names)}”设定具体数值目标")
                continue
            if not rows:
                continue
            lines = []
            for t in rows[:6]:
                c = self._clause[t.clause_id]
                lines.append(compose.target_line(t, c))
                cites.append(compose.cite(c, t.quote))
                used.append(t)
            parts.append(f"**{d.short_name}**：" + ("\n- " + "\n- ".join(lines) if len(lines) > 1 else lines[0]))
        if not parts and q.doc_ids and not missing and not self._mentions(q, docs):
            missing = [f"{d.short_name}没有关于“{'、'.join(q.indicator_names)}”的目标" for d in docs]
        if not parts and q.asks_number and q.doc_ids and not any("规划期" in m for m in missing):
            return self._from_clauses(q)  # the figure may sit in a clause under other words; it refuses if not
        if not parts:
            return self._refuse(q, missing) if (missing or q.asks_number) else self._from_clauses(q)
        text = "\n\n".join(parts)
        if missing:
            text += "\n\n另：" + "；".join(missing) + "。"
        return Answer(answer=text, answerable=True, citations=_dedupe(cites), targets=used, intent="target_value")

    def _clause_with_figure(self, q: Query, d: DocMeta) -> tuple[Clause, list[str]] | None:
        """A clause sentence in plan d naming the indicator with a figure the extractor did not type."""
        for h in self.retriever.search(q.retrieval_text, k=5, filters=Filters(doc_ids=[d.doc_id])):
            sents = compose.best_sentences(h.clause, q.text, q.indicator_names, limit=1)
            s = norm("".join(sents))
            years = set(re.findall(r"20\d\d", s))
            year_ok = q.year is None or str(q.year) in years or (not years and q.year == d.period_end)
            if any(norm(n) in s for n in q.indicator_names) and self._has_figure(q, s) and year_ok:
                return h.clause, sents
        return None

    def _mentions(self, q: Query, docs: list[DocMeta]) -> bool:
        """Does any clause of these plans name the indicator at all?"""
        names = [norm(n) for n in q.indicator_names]
        ids = {d.doc_id for d in docs}
        return any(c.doc_id in ids and any(n in self._clause_norm[c.clause_id] for n in names) for c in self.clauses)

    def _has_figure(self, q: Query, sentence_norm: str) -> bool:
        """The sentence holds a figure of the asked kind, in a phrase that is about the question's topic."""
        if q.year is not None and q.year >= self._first_plan_year:  # a target sentence dated another year does not answer
            years = set(re.findall(r"(20\d\d)年", sentence_norm))
            if years and str(q.year) not in years:
                return False
        pattern = next((p for words, p in ANSWER_TYPES if any(w in q.text for w in words)), ANY_NUMBER)
        phrases = re.split(r"[，,；;。：:]", sentence_norm)
        about = " ".join([q.topic, *q.indicator_names, q.history_text if q.inherited else ""])
        core = compose.bigrams(_without_verbs(about)) - compose.STOP_BIGRAMS
        need = min(TOPIC_HITS, math.ceil(TOPIC_COVERAGE * len(core)))
        for i, ph in enumerate(phrases):
            if not pattern.search(ph):
                continue
            # the figure's own phrase must be about the topic, or its neighbours more strongly so
            # ("本规划实施的2—3年，…进行中期评估"; a bare "1月22日," takes its meaning from what follows)
            if len(core & compose.bigrams(ph)) >= need:
                return True
            window = "".join(phrases[max(0, i - 1) : i + 2])
            if len(ph) < BARE_FIGURE and len(core & compose.bigrams(window)) >= need + 1:
                return True
        return False

    def _refuse(self, q: Query, missing: list[str]) -> Answer:
        scope = [self._doc[i] for i in q.doc_ids] or [d for d in self.docs if d.kind == "plan"]
        hits = self.retriever.search(q.retrieval_text, k=1, filters=Filters(doc_ids=[d.doc_id for d in scope]))
        reason = "；".join(missing) if missing else "现有规划文本中没有找到这个问题的答案"
        text = f"规划中没有这项内容：{reason}。"
        cites = []
        if hits:
            c = hits[0].clause
            sents = compose.best_sentences(c, q.retrieval_text, q.indicator_names, limit=1)
            safe = [s for s in sents if not re.search(r"\d", s)] or []
            text += f"\n\n最接近的条款是〔{c.label}〕" + (f"：「{''.join(safe)}」" if safe else "，可查看原文。")
            cites.append(compose.cite(c, "".join(sents)))
        covered = "、".join(d.short_name for d in self.docs if d.kind == "plan")
        text += f"\n\n目前收录的规划：{covered}。"
        return Answer(answer=text, answerable=False, citations=cites, intent=q.intent)

    # comparisons ------------------------------------------------------------------------------
    def _compare(self, q: Query) -> Answer:
        doc_ids = [i for i in q.doc_ids if self._doc[i].kind == "plan"]
        ref = reference_doc(self.docs)
        city = [*lexicon.load("questions")["city_words"], *(region_names(ref) if ref else [])]
        if ref and ref.doc_id not in doc_ids and any(w in q.text for w in city):
            doc_ids.append(ref.doc_id)
        if not q.indicator_keys:
            return self._from_clauses(q, per_doc=True)
        blocks, cites, used = [], [], []
        for key in q.indicator_keys[:4]:
            table = self.compare(key, q.year, doc_ids or None)
            if not doc_ids:
                table.rows = [r for r in table.rows if r.verdict != "未涉及"]
            blocks.append(f"**{key}**\n\n" + compose.compare_table(table))
            for r in table.rows:
                if r.clause_id:
                    cites.append(compose.cite(self._clause[r.clause_id], r.quote or ""))
                    used += [t for t in self._by_key.get(key, []) if t.clause_id == r.clause_id and t.value == r.value]
        if not cites:
            return self._from_clauses(q, per_doc=True)
        return Answer(answer="\n\n".join(blocks), answerable=True, citations=_dedupe(cites), targets=used, intent="compare")

    # lists of targets ------------------------------------------------------------------------
    def _target_list(self, q: Query) -> Answer:
        docs = self._scope(q, plans_only=True)
        parts, cites, used = [], [], []
        for d in docs:
            clauses = [c for c in self.clauses if c.doc_id == d.doc_id and (q.domain_key is None or c.domain_key == q.domain_key)
                       and (q.population is None or c.population == q.population)]
            if q.domain_key and not any(w in q.text for w in ("量化", "硬指标")):
                goals = [c for c in clauses if c.section == "主要目标"]
                if goals:
                    lines = [f"{i}. {c.text.split(chr(10))[0].split('.', 1)[-1]}" for i, c in enumerate(goals, 1)]
                    parts.append(f"**{d.short_name} · {goals[0].domain} · 主要目标**（共{len(goals)}条，原文）\n" + "\n".join(lines))
                    cites += [compose.cite(c, c.text) for c in goals]
                    continue
            # 量化指标 or a topic: the numeric targets of the retrieved clauses
            pool = clauses if q.domain_key else [h.clause for h in self.retriever.search(q.retrieval_text, k=4, filters=Filters(doc_ids=[d.doc_id], population=q.population))]
            ids = {c.clause_id for c in pool}
            terms = [w for w in self.retriever.tokenizer(q.topic) if len(w) >= 3] + q.indicator_names
            quantified = not q.domain_key or any(w in q.text for w in ("量化", "硬指标"))
            rows = [t for t in self._by_doc.get(d.doc_id, []) if t.kind == "target"
                    and (t.value_num is not None or not quantified)
                    and (t.clause_id in ids or (not q.domain_key and
                         (t.indicator_key in q.indicator_keys or any(norm(w) in norm(t.quote) for w in terms))))]
            if not rows:
                continue
            lines = [f"- {compose.target_line(t, self._clause[t.clause_id])}" for t in rows]
            for c in pool[:2]:  # figures the table has no row for (促进70%的妇女在35—45岁接受…筛查)
                for sent in compose.best_sentences(c, q.topic, q.indicator_names, limit=3):
                    if re.search(r"\d", sent) and any(norm(w) in norm(sent) for w in terms) and not any(norm(t.quote) in norm(sent) for t in rows):
                        lines.append(f"- {compose.quote_block(c, [sent])}")
                        cites.append(compose.cite(c, sent))
            parts.append(f"**{d.short_name}**：\n" + "\n".join(lines))
            cites += [compose.cite(self._clause[t.clause_id], t.quote) for t in rows]
            used += rows
        if not parts:
            return self._from_clauses(q)
        return Answer(answer="\n\n".join(parts), answerable=True, citations=_dedupe(cites), targets=used, intent="target_list")

    # owners -------------------------------------------------------------------------------
    def _owner_note(self, q: Query, docs: list[DocMeta], parts: list[str], cites: list[Citation]) -> None:
        """Who carries it, with where that comes from; or that the plan names nobody."""
        in_scope = {d.doc_id for d in docs}
        owners = [t for k in q.indicator_keys for t in self._by_key.get(k, []) if t.owner and t.doc_id in in_scope]
        if owners and owners[0].owner_source != "plan":
            t = owners[0]
            src = {"text": "条款原文写明", "assignment": "任务分工表"}[t.owner_source]
            parts.append(f"责任单位：{t.owner}（来源：{src}）")
            if t.owner_clause_id:
                cites.append(compose.cite(self._clause[t.owner_clause_id], t.owner_quote or ""))
            return
        quoted = norm("".join(c.quote for c in cites))
        if owners or not any(w in quoted for w in OWNER_WORDS):
            parts.append("规划原文没有写明由哪个部门牵头或负责。")
            for d in [d for d in docs if d.kind == "plan"][:3]:
                rule = self._plan_rule(d.doc_id)
                if rule:
                    owner, quote, clause_id = rule
                    c = self._clause[clause_id]
                    parts.append(f"按{d.short_name}的总则，由{owner}按职责承担：「{quote}」〔{c.label}〕")
                    cites.append(compose.cite(c, quote))

    def _plan_rule(self, doc_id: str):
        if doc_id not in self._rules:
            self._rules[doc_id] = plan_rule([c for c in self.clauses if c.doc_id == doc_id])
        return self._rules[doc_id]

    # document facts ---------------------------------------------------------------------------
    def _doc_fact(self, q: Query) -> Answer | None:
        docs = [self._doc[i] for i in q.doc_ids if self._doc[i].kind == "plan"] if q.doc_ids else []
        if len(docs) != 1:
            return None
        d = docs[0]
        header = [c for c in self.clauses if c.doc_id == d.doc_id and c.section == "印发通知"]
        parts, cites = [], []
        if any(w in q.text for w in ("文号", "发文字号")) and d.doc_number:
            c = next((c for c in header if norm(d.doc_number) in norm(c.text)), None)
            if c:
                parts.append(f"{d.short_name}的发文字号是 {d.doc_number}。〔{c.label}〕")
                cites.append(compose.cite(c, d.doc_number))
        if any(w in q.text for w in ("印发", "发布", "签发", "落款")) or ("规划" in q.text and any(w in q.text for w in ("哪天", "日期"))):
            y, m, day = (int(x) for x in d.issue_date.split("-"))
            for c in header:
                n = norm(c.text)
                if DATE.search(n) and str(y) in n:
                    parts.append(f"{d.short_name}的印发日期是{y}年{m}月{day}日（原文落款：「{c.text.strip()}」）。〔{c.label}〕")
                    cites.append(compose.cite(c, c.text))
                    break
        if any(w in q.text for w in ("哪个部门印发", "谁印发", "发文机关", "发文单位", "哪个单位印发", "谁发的")):
            c = next((c for c in header if norm(d.issuer) in norm(c.text)), None)
            if c:
                parts.append(f"{d.short_name}由{d.issuer}印发。〔{c.label}〕")
                cites.append(compose.cite(c, d.issuer))
        if any(w in q.text for w in ("规划期", "哪几年", "期限")):
            for c in header:
                if any(norm(t) in norm(c.text) for t in d.titles):
                    parts.append(f"{d.short_name}的规划期见其标题：「{c.text.strip()}」。〔{c.label}〕")
                    cites.append(compose.cite(c, c.text))
                    break
        if not parts:
            return None
        return Answer(answer="\n\n".join(parts), answerable=True, citations=cites, intent="fact")

    # clause answers: measures, owners, facts, anything without a typed target ------------------
    def _from_clauses(self, q: Query, per_doc: bool = False) -> Answer:
        docs = self._scope(q, plans_only=False)
        if q.year is not None:  # a year outside every plan's period: only documents that cover it
            docs = [d for d in (docs if q.doc_ids else self.docs) if d.period_start <= q.year <= d.period_end] or docs
            if not any(d.period_start <= q.year <= d.period_end for d in docs):
                return self._refuse(q, [f"语料中没有{q.year}年的数据"])
        elif not q.doc_ids:
            docs = [d for d in docs if d.kind == "plan"]
            per_doc = per_doc or q.intent in ("owner", "measure", "fact")
        filters = Filters(doc_ids=[d.doc_id for d in docs],
                          population=q.population if q.intent == "measure" else None)
        k = 3 if q.intent in ("measure", "target_list") else 2
        header = lexicon.special_section("header")
        if per_doc and len(filters.doc_ids) > MAX_PLANS:
            # many plans, none named: the best clause of each plan the search finds, not of every plan
            pool = self.retriever.search(q.retrieval_text, k=MAX_PLANS * 5, filters=filters)
            best: dict[str, object] = {}
            for h in pool:
                if h.clause.section != header and h.doc_id not in best and len(best) < MAX_PLANS:
                    best[h.doc_id] = h
            hits = list(best.values())
        else:
            hits = self.retriever.search(q.retrieval_text, k=k + 4, filters=filters, per_doc_k=1 if per_doc else None)
            hits = [h for h in hits if h.clause.section != header][: (len(hits) if per_doc else k)]
        if not hits:
            return self._refuse(q, [])
        names = q.indicator_names
        focus = list(OWNER_WORDS) if q.intent == "owner" else []
        parts, cites = [], []
        if q.intent == "measure":  # the measures themselves first, then goals that name them
            hits.sort(key=lambda h: h.clause.section != "策略措施")
        limit = {"measure": MEASURE_SENTENCES, "owner": 2}.get(q.intent, 2)
        for h in hits:
            sents = compose.best_sentences(h.clause, q.topic or q.retrieval_text, names, limit=limit, context=q.history_text, focus=focus)
            parts.append(compose.quote_block(h.clause, sents))
            cites.append(compose.cite(h.clause, "".join(sents)))
        top = norm("".join(compose.best_sentences(hits[0].clause, q.topic or q.retrieval_text, names, limit=2, context=q.history_text)))
        specific = any(any(w in q.text for w in words) for words, _ in ANSWER_TYPES[:5])
        if ((q.asks_number and q.intent in ("target_value", "fact")) or specific) and not self._has_figure(q, top):
            return self._refuse(q, [])
        if q.intent == "owner":
            self._owner_note(q, docs, parts, cites)
        lead = "根据规划原文：" if q.intent != "compare" else "各规划的相关表述："
        return Answer(answer=lead + "\n\n" + "\n\n".join(parts), answerable=True, citations=_dedupe(cites), intent=q.intent)


def _without_verbs(text: str) -> str:
    """控制在/达到/提高到 say how, not what: they are not the topic."""
    for words in lexicon.load("comparators")["before"].values():
        for w in sorted(words, key=len, reverse=True):
            text = text.replace(w, " ")
    return text


def _dedupe(cites: list[Citation]) -> list[Citation]:
    seen, out = set(), []
    for c in cites:
        key = (c.clause_id, c.quote)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
