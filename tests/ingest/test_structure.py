from collections import Counter

from assistant.ingest.corpus import load_corpus
from assistant.ingest.structure import parse
from assistant.ingest.unwrap import paragraphs
from assistant.text import norm

from tests.conftest import CORPUS


def _doc(doc_id):
    return next(d for d in load_corpus(CORPUS).docs if d.meta.doc_id == doc_id)


def test_beijing_counts_match_the_press_report(tables):
    n = Counter((c.part, c.section) for c in tables.clauses if c.doc_id == "beijing")
    assert (n[("妇女", "主要目标")], n[("妇女", "策略措施")]) == (58, 63)
    assert (n[("儿童", "主要目标")], n[("儿童", "策略措施")]) == (48, 55)


def test_clause_ids_are_unique_and_readable(tables, clauses_by_id):
    assert len(clauses_by_id) == len(tables.clauses)
    c = clauses_by_id["dongcheng:妇女/健康/主要目标/2"]
    assert c.label == "东城区规划 · 妇女与健康 · 主要目标 第二条"
    assert "孕产妇死亡率控制在7／10万以下" in c.text


def test_heading_whose_numeral_was_lost_still_opens_a_domain(clauses_by_id):
    # 000 writes "()妇女与健康:打造生命全周期…"
    c = clauses_by_id["beijing:妇女/健康/主要目标/2"]
    assert c.domain == "妇女与健康" and "7/10万" in c.text


def test_measure_keeps_its_lead_in_title(clauses_by_id):
    c = clauses_by_id["xicheng:妇女/健康/策略措施/3"]
    assert c.title == "保障妇女生育全程安全。"
    assert norm("孕产妇死亡率控制在 7/10 万以下") in norm(c.text)


def test_pdf_wrapping_and_page_numbers_are_undone():
    paras = paragraphs(_doc("xicheng").text)
    assert not any(norm(p) in ("-11-", "-18-") for p in paras)
    # a sentence that the PDF broke over a page number reads whole again
    assert any("完善促进儿童发展的工作机制，推动全社会" in p for p in paras)


def test_unnumbered_paragraph_stays_with_its_clause(clauses_by_id):
    c = clauses_by_id["dongcheng:综合/监测评估/2"]
    assert "监测组由区统计局牵头" in c.text and "评估组由区妇女儿童工作委员会办公室牵头" in c.text


def test_two_plans_in_one_file_are_two_parts(tables):
    zengdu = [c for c in tables.clauses if c.doc_id == "zengdu"]
    assert {c.part for c in zengdu} >= {"妇女", "儿童"}
    assert any(c.clause_id == "zengdu:儿童/健康/主要目标/8" and c.text.startswith("8.5岁以下") for c in zengdu)


def test_scraped_duplicate_paragraphs_are_dropped(tables):
    texts = [(c.population, norm(c.text)) for c in tables.clauses if c.doc_id == "zengdu"]
    assert len(texts) == len(set(texts))  # within one plan of the file, a repeated paragraph is kept once


def test_a_paragraph_both_plans_of_a_file_share_is_kept_in_each(tables):
    first = [c for c in tables.clauses if c.doc_id == "zengdu" and c.section == "监测评估" and "加强监测评估制度建设" in c.text]
    assert {c.population for c in first} == {"妇女", "儿童"}


def test_parse_is_deterministic():
    d = _doc("beijing")
    assert [c.clause_id for c in parse(d)] == [c.clause_id for c in parse(d)]
