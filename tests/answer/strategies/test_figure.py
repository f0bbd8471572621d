from assistant.answer.strategies.figure import FigureFinder
from assistant.guard import check


def test_a_figure_inside_a_measure(small_ctx, ask_query):
    d = FigureFinder().run(ask_query("东城规划里学校门口多少米内不能划停车位？"), small_ctx)
    assert d.answerable and "50米" in d.answer and d.citations[0].clause_id == "dongcheng:儿童/安全/策略措施/5"
    assert not check(d.final(), small_ctx.clause)


def test_a_figure_of_the_neighbouring_phrase_is_not_an_answer(small_ctx, ask_query):
    # 70% is the 宫颈癌 figure; the 乳腺癌 target is stated in words only
    assert FigureFinder().run(ask_query("曾都乳腺癌人群筛查率具体要达到百分之几？"), small_ctx) is None


def test_only_questions_that_ask_for_a_figure(small_ctx, ask_query):
    assert FigureFinder().run(ask_query("东城校园周边平安建设有什么措施？"), small_ctx) is None
