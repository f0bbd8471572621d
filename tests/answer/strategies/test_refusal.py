from assistant.answer.strategies.out_of_corpus import OutOfCorpus
from assistant.answer.strategies.refusal import Refusal


def test_words_only_is_no_figure_with_the_quote(small_ctx, ask_query):
    d = Refusal().run(ask_query("曾都乳腺癌人群筛查率具体要达到百分之几？"), small_ctx)
    assert not d.answerable and "没有给出具体数值" in d.answer and "乳腺癌人群筛查率逐步提高" in d.answer


def test_a_place_outside_the_corpus(small_ctx, ask_query):
    d = OutOfCorpus().run(ask_query("朝阳区孕产妇死亡率目标是多少？"), small_ctx)
    assert not d.answerable and "朝阳区" in d.answer and "7" not in d.answer
    d = OutOfCorpus().run(ask_query("曾都跟上级规划比呢？", ["曾都区孕产妇死亡率目标是多少？"]), small_ctx)
    assert "上级规划（随州市）未收录" in d.answer
    assert OutOfCorpus().run(ask_query("东城区孕产妇死亡率目标是多少？"), small_ctx) is None


def test_the_goal_is_quoted_before_a_measure_saying_as_much(engine):
    # 9.出生人口性别比保持在自然状态: the item's number is no figure, and the goal outranks the measure
    a = engine.ask("曾都出生人口性别比要保持在什么水平？")
    assert "自然状态" in a.answer and "主要目标" in a.citations[0].label


def test_a_refusal_names_a_few_plans_of_a_large_corpus(small_ctx):
    from assistant.answer.strategies.refusal import LISTED_PLANS, covered

    assert all(d.short_name in covered(small_ctx) for d in small_ctx.plans)  # a small corpus: every plan
    many = small_ctx.plans * 50  # (the same plans repeated stand for a corpus of every county's plans)
    small_ctx.plans, before = many, small_ctx.plans
    try:
        text = covered(small_ctx)
    finally:
        small_ctx.plans = before
    assert text.count("、") == LISTED_PLANS - 1 and "规划浏览" in text
