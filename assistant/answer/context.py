"""What every answer strategy reads: the corpus tables and a retriever, injected, with lookups.

A strategy never loads anything itself; tests build a Context from a small fixture corpus and a
real keyword retriever over it (tests/answer/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import AbstractSet as Set, Callable, Iterable, Protocol, Sequence

from assistant.ingest.owners import plan_rule
from assistant.models import Clause, DocMeta, Target
from assistant.retrieve import Filters, Hit
from assistant.store.sentences import idf
from assistant.text import norm, sentences


class Searcher(Protocol):
    """The part of assistant.retrieve.Retriever the strategies use."""

    def search(self, text: str, k: int = 5, filters: Filters | None = None, per_doc_k: int | None = None) -> list[Hit]: ...

    def tokenizer(self, text: str) -> list[str]: ...


@dataclass(frozen=True)
class Sentence:
    clause: Clause
    text: str  # original words
    norm: str  # NFKC, no whitespace


@dataclass
class Context:
    docs: Sequence[DocMeta]
    clauses: Sequence[Clause]
    targets: Sequence[Target]
    retriever: Searcher
    errors: Sequence[str] = ()
    failed: dict[str, str] = field(default_factory=dict)  # region of a plan that failed to load -> why
    observations: Callable[[], list] | None = None  # observed values (corpus + users), read when asked
    _rules: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.doc_by_id = {d.doc_id: d for d in self.docs}
        self.clause_by_id = {c.clause_id: c for c in self.clauses}
        self.clause_norm = {c.clause_id: norm(c.text) for c in self.clauses}  # normalised once
        self.by_doc: dict[str, list[Target]] = {}
        self.by_key: dict[str | None, list[Target]] = {}
        for t in self.targets:
            self.by_doc.setdefault(t.doc_id, []).append(t)
            self.by_key.setdefault(t.indicator_key, []).append(t)
        self.clauses_of: dict[str, list[Clause]] = {}
        for c in self.clauses:
            self.clauses_of.setdefault(c.doc_id, []).append(c)
        self.plans = [d for d in self.docs if d.kind == "plan"]
        self.first_plan_year = min((d.period_start for d in self.plans), default=0)

    @cached_property
    def sentences_of(self) -> dict[str, list[Sentence]]:
        """Every sentence of every document, for figures the targets table has no row for."""
        out: dict[str, list[Sentence]] = {}
        for c in self.clauses:
            for s in sentences(c.text) or [c.text]:
                if s.strip():
                    out.setdefault(c.doc_id, []).append(Sentence(c, s.strip(), norm(s)))
        return out

    @cached_property
    def sentence_bigrams(self) -> dict[str, list[frozenset[str]]]:
        """The bigrams of every sentence (parallel to sentences_of), computed once."""
        from assistant.answer.compose import bigrams

        return {d: [frozenset(bigrams(s.norm)) for s in ss] for d, ss in self.sentences_of.items()}

    @cached_property
    def clause_bigrams(self) -> dict[str, frozenset[str]]:
        from assistant.answer.compose import bigrams

        return {c.clause_id: frozenset(bigrams(self.clause_norm[c.clause_id])) for c in self.clauses}

    @cached_property
    def sentence_tokens(self) -> dict[str, list[frozenset[str]]]:
        """The retriever's word tokens of every sentence (parallel to sentences_of)."""
        tok = self.retriever.tokenizer
        return {d: [frozenset(tok(s.norm)) for s in ss] for d, ss in self.sentences_of.items()}

    @cached_property
    def token_idf(self) -> dict[str, float]:
        return _idf(self.sentence_tokens)

    def topic_tokens(self, *texts: str) -> set[str]:
        """Words of a question's topic (jieba search mode, question words dropped)."""
        tok = self.retriever.tokenizer
        query = getattr(tok, "query", tok)
        return {t for text in texts if text for t in query(text) if len(t) > 1}

    def token_coverage(self, core: set[str], found: frozenset[str]) -> float:
        idf = self.token_idf
        total = sum(idf.get(t, idf[""]) for t in core)
        return sum(idf.get(t, idf[""]) for t in core & found) / total if total else 0.0

    def coverage(self, core: set[str], found: frozenset[str] | set[str]) -> float:
        """Share of the core's weight (rare bigrams weigh more) that `found` holds."""
        idf = self.idf
        total = sum(idf.get(b, idf[""]) for b in core)
        return sum(idf.get(b, idf[""]) for b in core & found) / total if total else 0.0

    @cached_property
    def idf(self) -> dict[str, float]:
        """How rare a bigram is among all sentences: rare words decide which sentence a question means."""
        return _idf(self.sentence_bigrams)

    def doc(self, doc_id: str) -> DocMeta:
        return self.doc_by_id[doc_id]

    def clause(self, clause_id: str) -> Clause | None:
        return self.clause_by_id.get(clause_id)

    def period_end_sentence(self, doc: DocMeta) -> tuple[Clause, str] | None:
        """The first sentence of a plan that names its period's end (到2025年), with its clause: where a
        “十四五” plan says the year its undated targets are for."""
        end = f"到{doc.period_end}年"
        c = next((x for x in self.clauses_of.get(doc.doc_id, []) if end in norm(x.text)), None)
        return (c, next(s for s in sentences(c.text) if end in norm(s))) if c is not None else None

    def plan_rule(self, doc_id: str):
        """(owner, quote, clause_id) of a plan's general rule on who carries its targets, or None."""
        if doc_id not in self._rules:
            self._rules[doc_id] = plan_rule(self.clauses_of.get(doc_id, []))
        return self._rules[doc_id]

    def rows(self, doc: DocMeta, keys: list[str], year: int | None, kind: str = "target") -> list[Target]:
        """A plan's rows for these indicators (the asked year, or undated rows at the period's end);
        numeric rows first when there are any."""
        rows = self.indicator_rows(doc.doc_id, keys, kind)
        if year is not None:
            rows = [t for t in rows if t.year == year or (t.year is None and year == doc.period_end)]
        else:  # the plan's own targets: not the earlier plan's its 发展基础 recalls (“十三五”规划目标的30%)
            rows = [t for t in rows if t.year is None or t.year >= doc.period_start]
        numeric = [t for t in rows if t.value_num is not None]
        return numeric or rows

    def indicator_rows(self, doc_id: str, keys: list[str], kind: str) -> list[Target]:
        """A document's rows of these indicators and this kind, in table order."""
        return [t for t in self.by_doc.get(doc_id, []) if t.kind == kind and t.indicator_key in keys]

    def mentions(self, names: list[str], doc_ids: set[str]) -> bool:
        """Does any clause of these documents name one of these words at all?"""
        ns = [norm(n) for n in names]
        return any(any(n in self.clause_norm[c.clause_id] for n in ns) for d in doc_ids for c in self.clauses_of.get(d, []))

    # ---- reads a store can answer from an index (assistant/answer/context_shared.py) -----------------
    def sentences_with(self, doc_ids: Sequence[str], bigrams: Set[str] = frozenset(), tokens: Set[str] = frozenset(),
                       within: Set[str] | None = None) -> list[tuple[Sentence, frozenset[str], frozenset[str]]]:
        """(sentence, its bigrams, its tokens) of every sentence of these documents that holds one of the
        bigrams or tokens (and, with ``within``, one of those bigrams too), documents in the given order,
        then clause and sentence order: what a region-less figure, owner or refusal search scores (a
        sentence holding none scores nothing)."""
        out = []
        for d in doc_ids:
            for s, bs, ts in zip(self.sentences_of.get(d, []), self.sentence_bigrams.get(d, []), self.sentence_tokens.get(d, [])):
                if (bigrams & bs or tokens & ts) and (within is None or within & bs):
                    out.append((s, bs, ts))
        return out

    def sentences_in(self, clause: Clause) -> list[Sentence]:
        """One clause's sentences (the same objects sentences_with returns)."""
        return [x for x in self.sentences_of.get(clause.doc_id, []) if x.clause is clause]

    def select_targets(self, kinds: Sequence[str] | None = None, keys: Sequence[str] | None = None,
                       doc_ids: Sequence[str] | None = None) -> list[Target]:
        """Rows of the targets table in table order, by kind, indicator and document (None: any)."""
        return [t for t in self.targets if (kinds is None or t.kind in kinds) and (keys is None or t.indicator_key in keys)
                and (doc_ids is None or t.doc_id in doc_ids)]

    def clauses_for(self, clause_ids: Iterable[str]) -> list[Clause]:
        return [self.clause_by_id[i] for i in clause_ids if i in self.clause_by_id]

    def known_clauses(self, clause_ids: Iterable[str]) -> set[str]:
        """Which of these ids are clauses of the corpus (the guard's check of a count, in one lookup)."""
        return {c.clause_id for c in self.clauses_for(clause_ids)}

    def scope(self, doc_ids: list[str], text: str, plans_only: bool) -> list[DocMeta]:
        """The documents a question is about: those named (with the city's work reports, unless a
        plan is asked for), or every plan."""
        import re

        docs = [self.doc_by_id[i] for i in doc_ids if i in self.doc_by_id] if doc_ids else list(self.docs)
        if doc_ids and not plans_only:
            regions = {d.region for d in docs}
            about_plan = "规划" in text and not re.search(r"20(0\d|1\d)年", text)
            # a plan named brings its region's work reports; a report named brings no plan
            docs += [d for d in self.docs if d.region in regions and d not in docs and d.kind != "plan" and not about_plan]
        if plans_only:
            docs = [d for d in docs if d.kind == "plan"]
        return docs


def _idf(sets_of: dict[str, list[frozenset[str]]]) -> dict[str, float]:
    """log((n+1)/(df+0.5)) of every item over all sentences; "" is the weight of an unseen item."""
    df: dict[str, int] = {}
    n = 0
    for sets in sets_of.values():
        for b in sets:
            n += 1
            for x in b:
                df[x] = df.get(x, 0) + 1
    return idf(df, n)  # the formula the shared stores' build uses too
