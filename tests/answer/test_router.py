"""Choosing strategies (assistant/answer/router.py) and answering multi-part questions."""

from assistant.answer.intent import Intent
from assistant.answer.multipart import enumerated, sub_questions
from assistant.answer.router import route, strategies_for


def test_the_order_is_explicit_and_ends_in_a_refusal():
    assert strategies_for(Intent.TARGET_VALUE) == ["OutOfCorpus", "ReportScope", "OutOfPeriod", "Nonsense", "TargetValue", "FigureFinder", "ClauseAnswer", "Refusal"]
    assert strategies_for(Intent.STRUCTURE) == ["OutOfCorpus", "ReportScope", "OutOfPeriod", "Nonsense", "Structure", "Refusal"]
    assert all(strategies_for(i)[-1] == "Refusal" for i in Intent)


def test_parts_of_a_question(tables):
    assert sub_questions("中期评估谁来组织？第几年搞？") == ["中期评估谁来组织？", "第几年搞？"]
    assert sub_questions("宫颈癌筛查，适龄妇女筛查率要多少？乳腺癌呢？") == ["宫颈癌筛查，适龄妇女筛查率要多少？", "乳腺癌呢？"]
    parts = enumerated("2018年市财政在学前教育、基础教育扩优、课后服务上分别投了多少钱", tables.docs)
    assert parts[0] == "2018年市财政在学前教育投了多少钱" and len(parts) == 3
    assert enumerated("曾都和东城各是多少？", tables.docs) == []  # plans listed: a comparison, not parts


def test_each_part_gets_its_own_answer(small_ctx, ask_query):
    q = ask_query("曾都区孕产妇死亡率2025年要控制在多少？评估组由谁牵头？")
    d = route(q, small_ctx)
    assert d.answerable and "万分之一" in d.answer and "区妇儿工委办公室" in d.answer


def test_a_whole_answer_must_name_each_part_in_its_own_words_not_its_labels(engine):
    a = engine.ask("西城规划的监测组、评估组分别由谁牵头？")
    assert "区统计局" in a.answer and "区妇女儿童工作委员会办公室" in a.answer
