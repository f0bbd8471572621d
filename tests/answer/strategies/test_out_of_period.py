"""A year after the period of every plan named (assistant/answer/strategies/out_of_period.py)."""

from assistant.answer.intent import Intent
from assistant.answer.strategies.out_of_period import OutOfPeriod


def test_a_year_after_the_named_plans_period_is_refused(small_ctx, ask_query):
    d = OutOfPeriod().run(ask_query("东城2030年孕产妇死亡率目标定的多少"), small_ctx)
    assert d is not None and not d.answerable and "规划期" in d.answer


def test_a_year_inside_some_named_plans_period_goes_on(small_ctx, ask_query):
    assert OutOfPeriod().run(ask_query("曾都2030年孕产妇死亡率要控制在多少？"), small_ctx) is None
    assert OutOfPeriod().run(ask_query("东城孕产妇死亡率目标是多少"), small_ctx) is None  # no year


def test_a_question_about_the_document_itself_is_not_refused(small_ctx, ask_query):
    q = ask_query("东城规划管到2030年吗？")
    assert q.intent != Intent.STRUCTURE or OutOfPeriod().run(q, small_ctx) is None


def test_a_work_reports_years_are_not_a_plan_period(engine):
    a = engine.ask("18年工作总结里小学就近入学的比例，放到市十四五规划要求里看达标没")
    assert "规划期" not in a.answer and a.answerable
