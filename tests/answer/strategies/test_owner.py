from assistant.answer.strategies.owner import Owner


def test_the_body_the_text_names(small_ctx, ask_query):
    d = Owner().run(ask_query("曾都规划的评估组由谁牵头？"), small_ctx)
    assert d.answerable and "区妇儿工委办公室牵头" in d.answer


def test_a_plan_that_names_nobody_says_so(small_ctx, ask_query):
    d = Owner().run(ask_query("东城孕产妇死亡率这个目标由哪个部门负责？"), small_ctx)
    assert d is None or "没有写明" in d.answer
