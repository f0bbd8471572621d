import pytest

from assistant.retrieve import DEFAULT_MODE, Filters, Hit, Retriever
from assistant.text import norm


def has(hit, quote: str) -> bool:
    return norm(quote) in norm(hit.clause.text)


def test_golden_like_query_ranks_the_cited_clause_first(retriever):
    hits = retriever.search("孕产妇死亡率要控制在什么水平？", k=5, filters=Filters(doc_ids=["beijing"]))
    assert isinstance(hits[0], Hit) and hits[0].rank == 1
    assert hits[0].clause_id == "beijing:妇女/健康/主要目标/2"
    assert has(hits[0], "孕产妇死亡率控制在7/10万以下")
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


@pytest.mark.parametrize("mode", ["bm25", "dense", "fusion"])
def test_every_mode_finds_a_plain_target(retriever, mode):
    hits = retriever.search("社区居委会主任中的女性比例", k=5, filters=Filters(doc_ids=["dongcheng"]), mode=mode)
    assert any(has(h, "社区居委会主任中的女性比例保持在45%以上") for h in hits)


def test_region_filter(retriever):
    hits = retriever.search("养老床位", k=10, filters=Filters(doc_ids=["xicheng"]))
    assert hits and {h.doc_id for h in hits} == {"xicheng"}
    assert any(has(h, "千人居家为老服务床位与机构养老床位数不低于7张") for h in hits)
    assert retriever.search("养老床位", filters=Filters(doc_ids=["no_such_plan"])) == []


def test_population_filter(retriever):
    f = Filters(doc_ids=["zengdu"], population="儿童")
    hits = retriever.search("九年义务教育巩固率", k=10, filters=f)
    assert hits and {h.clause.population for h in hits} <= {"儿童", "综合"}
    assert any(has(h, "九年义务教育巩固率达到98.5%") for h in hits)  # the 儿童 plan's figure
    assert not any(has(h, "九年义务教育巩固率提高到98%以上") for h in hits)  # the 妇女 plan's
    strict = retriever.search("九年义务教育巩固率", k=10, filters=Filters(doc_ids=["zengdu"], population="妇女", include_shared=False))
    assert strict and {h.clause.population for h in strict} == {"妇女"}


def test_domain_and_section_filters(retriever):
    f = Filters(doc_ids=["beijing"], domain_key="健康", section="主要目标", population="妇女")
    hits = retriever.search("主要目标", k=20, filters=f)
    assert hits and all(h.clause.domain_key == "健康" and h.clause.section == "主要目标" for h in hits)
    assert all(h.clause.population == "妇女" for h in hits)


def test_dense_filter_is_applied_before_ranking(retriever):
    # a district's clause that the unfiltered top-k would never reach is still found
    f = Filters(doc_ids=["bj_wcc_2018"])
    hits = retriever.search("孕产妇死亡率", k=3, filters=f, mode="dense")
    assert len(hits) == 3 and {h.doc_id for h in hits} == {"bj_wcc_2018"}


def test_per_doc_mode_returns_hits_from_each_requested_doc(retriever):
    docs = ["dongcheng", "xicheng", "beijing"]
    hits = retriever.search("孕产妇死亡率目标一样吗", filters=Filters(doc_ids=docs), per_doc_k=2)
    assert len(hits) == 6
    assert {h.doc_id for h in hits[:3]} == set(docs)  # each doc's best first
    for d in docs:
        assert sum(h.doc_id == d for h in hits) == 2
        assert any(h.doc_id == d and has(h, "孕产妇死亡率控制在7/10万以下") for h in hits)
    everywhere = retriever.search("孕产妇死亡率", per_doc_k=1)
    assert {h.doc_id for h in everywhere} == {c.doc_id for c in retriever.clauses}


def test_default_mode_and_bad_mode(retriever):
    assert retriever.mode == DEFAULT_MODE
    with pytest.raises(ValueError):
        retriever.search("x", mode="nope")


def test_second_retriever_starts_from_the_stored_index(retriever, settings):
    r2 = Retriever(settings, retriever.clauses, retriever.docs)
    assert not r2.vectors.built
    assert r2.search("孕产妇死亡率", k=1, filters=Filters(doc_ids=["beijing"]))[0].clause_id == (
        retriever.search("孕产妇死亡率", k=1, filters=Filters(doc_ids=["beijing"]))[0].clause_id
    )
