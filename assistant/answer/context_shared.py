"""The Context of a replica on the shared stores: the same lookups, read from PostgreSQL when asked.

Only the documents' metadata is held (small). Clauses, targets, sentences and term weights are read
by id, by document, by indicator or by term (assistant/store/lazy.py, each an indexed query) and kept
in bounded caches, so the replica's memory does not grow with the number of plans:

    clause_by_id[id], clause_norm[id], clause_bigrams[id]      the clause cache (by id)
    clauses_of[doc], by_doc[doc], by_key[key]                  a document's clauses / targets, an indicator's targets
    idf / token_idf                                             weights counted at build time (planqa_idf)
    sentences_with(doc_ids, bigrams, tokens)                    the sentence index (a GIN index on PostgreSQL)
    select_targets(kinds, keys, doc_ids)                        targets by kind, indicator, document

Strategies see the same methods and mappings as with the in-memory Context (assistant/answer/context.py),
and the golden sets give the same answers on both (tests/test_engine_shared.py).
"""

from __future__ import annotations

import threading
from typing import AbstractSet as Set, Callable, Iterable, Sequence

from assistant.answer.context import Context, Searcher, Sentence
from assistant.models import Clause, DocMeta, Target
from assistant.store.lazy import Lazy, BuildReader, ClauseCache
from assistant.store.sentences import TOKEN_MARK, UNSEEN
from assistant.text import bigrams, clause_sentences, norm

DOC_CACHE = 64  # documents whose clause / target lists are kept: a question names a few; a listing walks on
# indicators whose rows (every plan's) are kept: a chat asks about a few at a time, and at 2,000 plans one
# indicator is a few thousand rows, so the bound keeps this cache to tens of MB
KEY_CACHE = 8
# clauses whose sentences, normalised text and bigrams are kept: the same bound as the clause cache
DERIVED_CACHE = 20_000
WEIGHT_CACHE = 200_000  # term weights kept (a few MB); past it the cache starts again, as terms are cheap to reread


class Weights:
    """Term weights read from the build's idf table; a term it lacks reads as absent (``get`` default)."""

    def __init__(self, reader: BuildReader, prefix: str):
        self.reader = reader
        self.prefix = prefix
        self._data: dict[str, float | None] = {}
        self._lock = threading.Lock()

    def prefetch(self, terms: Iterable[str]) -> None:
        with self._lock:
            missing = [t for t in terms if t not in self._data]
        if not missing:
            return
        got = self.reader.weights(self.prefix + t for t in missing)
        with self._lock:
            if len(self._data) > WEIGHT_CACHE:
                self._data.clear()
            for t in missing:
                self._data[t] = got.get(self.prefix + t)

    def get(self, term: str, default=None):
        try:
            value = self._data[term]
        except KeyError:  # scoring calls this per term and sentence: a miss is one small query, once
            self.prefetch([term])
            value = self._data.get(term)
        return default if value is None else value

    def __getitem__(self, term: str) -> float:
        value = self.get(term)
        if value is None:
            raise KeyError(term)
        return value

    def __contains__(self, term) -> bool:
        return self.get(term) is not None


class SharedContext(Context):
    def __init__(self, reader: BuildReader, retriever: Searcher, errors: Sequence[str] = (),
                 failed: dict[str, str] | None = None, observations: Callable[[], list] | None = None):
        super().__init__(reader.docs, (), (), retriever, errors, failed or {}, observations)
        self.reader = reader
        self.cache: ClauseCache = reader.clause_cache()
        self._doc_ids = {d.doc_id for d in self.docs}
        self.clause_by_id = Lazy(lambda i: self.cache.by_id([i]).get(i), DERIVED_CACHE)  # type: ignore[assignment]
        self.clause_norm = Lazy(lambda i: norm(c.text) if (c := self.clause_by_id.get(i)) else None, DERIVED_CACHE)  # type: ignore[assignment]
        self.clause_bigrams = Lazy(  # type: ignore[assignment]
            lambda i: frozenset(bigrams(n)) if (n := self.clause_norm.get(i)) is not None else None, DERIVED_CACHE)
        self.clauses_of = Lazy(lambda d: self.cache.of_doc(d) if d in self._doc_ids else None, DOC_CACHE)  # type: ignore[assignment]
        self.by_doc = Lazy(lambda d: self.reader.targets_of_doc(d) or None, DOC_CACHE)  # type: ignore[assignment]
        self._key_rows = Lazy(lambda k: self.reader.targets_of_key_by_doc(k) or None, KEY_CACHE)
        self.by_key = Lazy(  # type: ignore[assignment]
            lambda k: [t for _, t in sorted(r for rs in self._key_rows.get(k, {}).values() for r in rs)] or None
            if k is not None else self.reader.targets_of_key(None) or None, KEY_CACHE)
        self._sents = Lazy(self._split, DERIVED_CACHE)
        self.sentences_of = Lazy(  # type: ignore[assignment]
            lambda d: [s for c in self.clauses_of.get(d, []) for s in self._sents[c.clause_id]] or None, DOC_CACHE)
        self.sentence_bigrams = Lazy(  # type: ignore[assignment]
            lambda d: [frozenset(bigrams(s.norm)) for s in self.sentences_of.get(d, [])] or None, DOC_CACHE)
        tok = self.retriever.tokenizer
        self.sentence_tokens = Lazy(  # type: ignore[assignment]
            lambda d: [frozenset(tok(s.norm)) for s in self.sentences_of.get(d, [])] or None, DOC_CACHE)
        self.idf = Weights(reader, "")  # type: ignore[assignment]
        self.token_idf = Weights(reader, TOKEN_MARK)  # type: ignore[assignment]

    def _split(self, clause_id: str) -> list[Sentence] | None:
        c = self.clause_by_id.get(clause_id)
        return None if c is None else [Sentence(c, text, n) for text, n in clause_sentences(c.text)]

    # ---- indexed reads --------------------------------------------------------------------------
    def sentences_with(self, doc_ids: Sequence[str], bigrams: Set[str] = frozenset(), tokens: Set[str] = frozenset(),
                       within: Set[str] | None = None) -> list[tuple[Sentence, frozenset[str], frozenset[str]]]:
        pos: dict[str, int] = {}
        for i, d in enumerate(doc_ids):
            pos.setdefault(d, i)
        terms = set(bigrams) | {TOKEN_MARK + t for t in tokens}
        if not terms or not pos or within is not None and not within:
            return []
        self.idf.prefetch(set(bigrams) | {UNSEEN})  # type: ignore[attr-defined]  # the weights the caller scores with, in one query
        self.token_idf.prefetch(set(tokens) | {UNSEEN})  # type: ignore[attr-defined]
        every = self._doc_ids <= pos.keys()  # a region-less question: no document filter at all
        rows = [r for r in self.reader.sentences_with(terms, None if every else list(pos), within) if r[1] in pos]
        rows.sort(key=lambda r: (pos[r[1]], r[0], r[2]))  # documents as asked, then clause and sentence order
        clauses = self.cache.by_ord({r[0] for r in rows})
        out = []
        of_clause: dict[int, list[Sentence]] = {}  # one cache look-up per clause, not per sentence row
        for o, _, seq, bs, ts in rows:
            sents = of_clause.get(o)
            if sents is None:
                sents = of_clause[o] = self._sents.get(clauses[o].clause_id) or []
            if seq < len(sents):
                out.append((sents[seq], bs, ts))
        return out

    def sentences_in(self, clause: Clause) -> list[Sentence]:
        return self._sents.get(clause.clause_id) or []

    def select_targets(self, kinds: Sequence[str] | None = None, keys: Sequence[str] | None = None,
                       doc_ids: Sequence[str] | None = None) -> list[Target]:
        return self.reader.targets(kinds, keys, doc_ids)

    def indicator_rows(self, doc_id: str, keys: list[str], kind: str) -> list[Target]:
        """From the indicators' rows (one query per indicator for all plans, cached), not the document's:
        a region-less question asks every plan for the same few indicators."""
        got = [r for k in dict.fromkeys(keys) for r in self._key_rows.get(k, {}).get(doc_id, []) if r[1].kind == kind]
        return [t for _, t in sorted(got, key=lambda r: r[0])]

    def clauses_for(self, clause_ids: Iterable[str]) -> list[Clause]:
        return list(self.cache.by_id(clause_ids).values())

    def known_clauses(self, clause_ids: Iterable[str]) -> set[str]:
        return self.cache.reader.known_clause_ids(clause_ids)

    def mentions(self, names: list[str], doc_ids: set[str]) -> bool:
        ns = [norm(n) for n in names]
        return any(any(n in norm(c.text) for n in ns) for d in doc_ids for c in self.clauses_of.get(d, []))
