import numpy as np
import pytest

from assistant.text import norm
from assistant.store.bm25 import BM25Index, BM25Retriever, ChineseTokenizer, user_words


@pytest.fixture(scope="module")
def tokenizer(parsed_corpus):
    corpus, _ = parsed_corpus
    return ChineseTokenizer.for_docs([d.meta for d in corpus.docs])


def test_user_dictionary_keeps_indicators_domains_and_regions_whole(tokenizer, parsed_corpus):
    corpus, _ = parsed_corpus
    words = user_words([d.meta for d in corpus.docs])
    assert {"孕产妇死亡率", "妇女与健康", "曾都区", "东城"} <= set(words)
    toks = tokenizer("曾都区孕产妇死亡率控制在多少？")
    assert "孕产妇死亡率" in toks and "曾都区" in toks
    assert "孕产妇" in toks  # search mode also yields the parts
    assert "？" not in toks and "在" not in toks  # punctuation, single-char stopwords dropped


def test_text_is_normalised_before_tokenising(tokenizer):
    # full-width digits/slash as in the 东城 text vs half-width as in the 北京 text
    assert tokenizer("孕产妇死亡率控制在7／10万以下") == tokenizer("孕产妇死亡率控制在 7/10 万以下")


def test_chinese_query_scores_above_zero_and_ranks_the_right_clause_first(tokenizer, parsed_corpus):
    _, clauses = parsed_corpus
    beijing = [c for c in clauses if c.doc_id == "beijing"]
    r = BM25Retriever([c.text for c in beijing], tokenizer)
    scores = r.scores("村委会成员当中女性要占多大比例？")
    assert scores.max() > 0
    top = r.search("村委会成员当中女性要占多大比例？", k=3)
    assert norm("村委会成员中女性比例保持在30%以上") in norm(beijing[top[0][0]].text)

    top = r.search("中小学生近视率每年降多少", k=3)
    assert "视力不良检出率" in beijing[top[0][0]].text


def test_mask_restricts_candidates_and_zero_scores_are_not_returned():
    idx = BM25Index([["孕产妇", "死亡率"], ["家庭", "教育"], ["孕产妇", "保健"]])
    assert [i for i, _ in idx.top(["孕产妇"], 5)] in ([0, 2], [2, 0])
    mask = np.array([False, True, True])
    assert [i for i, _ in idx.top(["孕产妇"], 5, mask)] == [2]
    assert idx.top(["没有"], 5) == []
    assert (idx.scores(["家庭"]) > 0).sum() == 1


def test_streamed_stats_give_the_index_weights_to_the_last_bit(tokenizer, parsed_corpus):
    from assistant.store.bm25 import BM25Stats

    _, clauses = parsed_corpus
    docs = [tokenizer(c.text) for c in clauses] + [[]]  # an empty document keeps its place
    index, stats = BM25Index(docs), BM25Stats()
    for toks in docs:
        stats.add(toks)
    want: list[dict[str, float]] = [{} for _ in docs]
    for term, (ids, weights) in index._post.items():
        for i, w in zip(ids.tolist(), weights.tolist()):
            want[i][term] = w
    step = 7  # an odd batch size: batches cut anywhere give the same weights
    got = [dict(d) for s in range(0, len(docs), step) for d in stats.weights(s, min(s + step, len(docs)))]
    assert got == want  # exact float equality, not approx
    assert stats.n == index.n and not got[-1]
    with pytest.raises(RuntimeError):
        stats.add(["孕产妇"])  # the corpus statistics are fixed once weights are read
