from assistant.answer.context import Context
from tests.answer.conftest import KeywordSearcher


def test_a_plan_brings_its_regions_reports_but_a_report_brings_no_plan(tables):
    ctx = Context(tables.docs, tables.clauses[:1], tables.targets[:1], KeywordSearcher(tables.clauses[:1], tables.docs))
    assert [d.doc_id for d in ctx.scope(["beijing"], "全市婚前医学检查率", plans_only=False)] == ["beijing", "bj_wcc_2018"]
    assert [d.doc_id for d in ctx.scope(["bj_wcc_2018"], "法律援助那块有啥数据", plans_only=False)] == ["bj_wcc_2018"]
