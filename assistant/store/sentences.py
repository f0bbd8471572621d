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
from typing import Callable, Iterable, Iterator

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


def term_weights(rows: list[SentenceTerms]) -> tuple[dict[str, float], dict[str, float]]:
    """(bigram idf, token idf) over all sentences, as the in-memory Context counts them."""
    bdf: dict[str, int] = {}
    tdf: dict[str, int] = {}
    for r in rows:
        for b in r.bigrams:
            bdf[b] = bdf.get(b, 0) + 1
        for t in r.tokens:
            tdf[t] = tdf.get(t, 0) + 1
    return idf(bdf, len(rows)), idf(tdf, len(rows))
