"""The sentence index of the shared stores: every sentence of every clause with its match terms
(character bigrams and the retriever's word tokens), and how rare each term is among all sentences.

The answer strategies score sentences by the rarity-weighted share of a question's terms they hold
(assistant/answer/context.py). In memory that rarity is counted over all sentences at load; a replica
on the shared stores must not read all sentences, so the build counts it once and stores the weights
(``planqa_idf``), and a question reads only the sentences holding one of its terms (``planqa_sentences``,
a GIN index on PostgreSQL)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

from assistant.models import Clause
from assistant.text import bigrams, clause_sentences

TOKEN_MARK = "#"  # tokens are stored as "#token": a bigram never holds "#" (bigrams keep Han, digits, letters, %‰)
UNSEEN = ""  # the weight key of a term no sentence holds (the in-memory idf's "" entry)


@dataclass(frozen=True)
class SentenceTerms:
    clause_ord: int  # the clause's position in the build (its row)
    doc_id: str
    seq: int  # the sentence's position in its clause
    bigrams: frozenset[str]
    tokens: frozenset[str]

    def terms(self) -> str:
        return " ".join(sorted(self.bigrams) + sorted(TOKEN_MARK + t for t in self.tokens))


def split_terms(terms: str) -> tuple[frozenset[str], frozenset[str]]:
    """(bigrams, tokens) of a stored terms string."""
    items = terms.split()
    return (frozenset(x for x in items if not x.startswith(TOKEN_MARK)),
            frozenset(x[1:] for x in items if x.startswith(TOKEN_MARK)))


def sentence_terms(clauses: Iterable[Clause], tokenizer: Callable[[str], list[str]]) -> Iterator[SentenceTerms]:
    for i, c in enumerate(clauses):
        for seq, (_, n) in enumerate(clause_sentences(c.text)):
            yield SentenceTerms(i, c.doc_id, seq, frozenset(bigrams(n)), frozenset(tokenizer(n)))


def idf(df: dict[str, int], n: int) -> dict[str, float]:
    """log((n+1)/(df+0.5)) of every item over n sentences; UNSEEN is the weight of an item none holds."""
    return {x: math.log((n + 1) / (k + 0.5)) for x, k in df.items()} | {UNSEEN: math.log(n + 1)}


class TermCounter:
    """How many sentences hold each bigram and token, counted one sentence at a time."""

    def __init__(self) -> None:
        self.n = 0
        self.bdf: dict[str, int] = {}
        self.tdf: dict[str, int] = {}

    def add(self, r: SentenceTerms) -> None:
        self.n += 1
        for b in r.bigrams:
            self.bdf[b] = self.bdf.get(b, 0) + 1
        for t in r.tokens:
            self.tdf[t] = self.tdf.get(t, 0) + 1

    def idf(self) -> tuple[dict[str, float], dict[str, float]]:
        return idf(self.bdf, self.n), idf(self.tdf, self.n)

    def stored(self) -> dict[str, float]:
        """The weights as ``planqa_idf`` keeps them: bigrams as they are, tokens as "#token"."""
        bigram_idf, token_idf = self.idf()
        return bigram_idf | {TOKEN_MARK + t: w for t, w in token_idf.items()}


def term_weights(rows: Iterable[SentenceTerms]) -> tuple[dict[str, float], dict[str, float]]:
    """(bigram idf, token idf) over all sentences, as the in-memory Context counts them."""
    counter = TermCounter()
    for r in rows:
        counter.add(r)
    return counter.idf()


class SentenceStream:
    """The sentence index of ``clauses`` as the build writes it: each iteration tokenizes the sentences
    afresh (none is held, so a retried write starts over) and counts their terms on the way; ``weights``
    is the stored weights of the last complete iteration."""

    def __init__(self, clauses: Sequence[Clause], tokenizer: Callable[[str], list[str]]) -> None:
        self.clauses, self.tokenizer = clauses, tokenizer
        self._counted: TermCounter | None = None

    def __iter__(self) -> Iterator[SentenceTerms]:
        counter = TermCounter()
        for r in sentence_terms(self.clauses, self.tokenizer):
            counter.add(r)
            yield r
        self._counted = counter

    def weights(self) -> dict[str, float]:
        if self._counted is None:
            raise RuntimeError("SentenceStream.weights() before the sentences were read through")
        return self._counted.stored()
