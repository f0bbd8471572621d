"""What the plan will do (assistant/answer/strategies/measure.py)."""

from assistant.answer.intent import Intent


def test_an_amount_asked_of_a_year_is_not_answered_by_another_years_part(engine):
    # the 2018年工作总结 holds 投入40亿元…学前教育; the 2019年工作思路 names no amount
    a = engine.ask("2019年打算在学前教育上投多少钱？", ["2018年市财政给中小学课后服务投了多少钱？"])
    assert not a.answerable and "40亿元" not in a.answer
    a = engine.ask("2019年工作思路里妇幼经费安排了多少？")
    assert not a.answerable


def test_a_measure_question_is_answered_with_the_measure(engine):
    a = engine.ask("东城促进妇女就业有啥招？")
    assert a.answerable and a.intent == Intent.MEASURE
    assert a.citations[0].clause_id.startswith("dongcheng:妇女/经济/策略措施")


def test_a_measure_asked_after_figure_turns_needs_no_figure(engine):
    a = engine.ask("那东城在托育上有什么措施", ["曾都托位数2025年要多少", "东城有具体托位数吗"])
    assert a.answerable and a.intent == Intent.MEASURE and "托班" in a.answer


def test_the_measure_of_a_target_is_in_its_domain_measures(engine):
    # the goal names 入园率; the measure that pursues it (普惠性学前学位供给) does not
    a = engine.ask("有什么措施来推进？", ["东城适龄儿童入园率要求是多少？"])
    assert a.answerable and "普惠性学前学位供给" in a.answer


def test_supporting_measures_asked_after_a_target(engine):
    q = engine.understand("有什么配套措施吗？", ["曾都宫颈癌筛查率定的多少"])
    assert q.inherited and q.intent == "measure"
