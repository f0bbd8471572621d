"""The sentence index the shared build writes (assistant/store/sentences.py): the same sentences, terms
and weights the in-memory Context scores with."""

from __future__ import annotations

from assistant.answer.context import Context
from assistant.store.bm25 import ChineseTokenizer
from assistant.store.sentences import TOKEN_MARK, UNSEEN, sentence_terms, split_terms, term_weights
from assistant.text import bigrams


class Tokens:
    """The part of a retriever the Context reads for sentence tokens: the real jieba tokenizer."""

    def __init__(self, docs):
        self.tokenizer = ChineseTokenizer.for_docs(docs)


def test_terms_and_weights_are_those_the_context_counts(tables):
    docs = tables.docs[:2]
    keep = {d.doc_id for d in docs}
    clauses = [c for c in tables.clauses if c.doc_id in keep]
    searcher = Tokens(docs)
    ctx = Context(docs, clauses, [], searcher)
    rows = list(sentence_terms(clauses, searcher.tokenizer))
    mine = [(s.clause.clause_id, bs, ts) for d in ctx.sentences_of for s, bs, ts in
            zip(ctx.sentences_of[d], ctx.sentence_bigrams[d], ctx.sentence_tokens[d])]
    assert [(clauses[r.clause_ord].clause_id, r.bigrams, r.tokens) for r in rows] == mine
    bigram_idf, token_idf = term_weights(rows)
    assert bigram_idf == ctx.idf and token_idf == ctx.token_idf
    assert bigram_idf[UNSEEN] == ctx.idf[""]


def test_a_stored_terms_string_splits_back_into_bigrams_and_tokens(tables):
    c = tables.clauses[0]
    tok = ChineseTokenizer.for_docs(tables.docs)
    for r in sentence_terms([c], tok):
        assert split_terms(r.terms()) == (r.bigrams, r.tokens)
        assert not any(b.startswith(TOKEN_MARK) for b in bigrams(c.text))  # no bigram reads as a token


def test_a_sentence_stream_counts_what_it_yields_and_can_be_read_again(tables):
    from assistant.store.sentences import SentenceStream

    clauses = tables.clauses[:40]
    tok = ChineseTokenizer.for_docs(tables.docs)
    rows = list(sentence_terms(clauses, tok))
    bigram_idf, token_idf = term_weights(rows)
    stream = SentenceStream(clauses, tok)
    assert list(stream) == rows and list(stream) == rows  # a retried write reads it through again
    assert stream.weights() == bigram_idf | {TOKEN_MARK + t: w for t, w in token_idf.items()}
