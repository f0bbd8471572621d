from assistant.answer.strategies.comparison import Comparison


def test_each_plan_against_its_own_parent(small_ctx, ask_query):
    d = Comparison().run(ask_query("孕产妇死亡率各区分别是多少？"), small_ctx)
    rows = {line.split("|")[1].strip(): line for line in d.answer.splitlines() if line.startswith("| ") and "规划" in line}
    assert "上级规划（参照）" in rows["北京市规划"] and "与上级规划相同" in rows["东城区规划"]
    # 曾都 is judged against 随州市's plan, which is not here — not against Beijing's; 规划期末 is 2030
    assert "上级规划未收录" in rows["曾都区规划"] and "十万分之九" in rows["曾都区规划"] and "2030" in rows["曾都区规划"]


def test_which_is_stricter_never_contradicts_the_values(small_ctx, ask_query):
    d = Comparison().run(ask_query("哪个更严？", ["东城区孕产妇死亡率目标是多少？", "北京市呢？"]), small_ctx)
    assert d.answer.startswith("两者要求相同")


def test_the_table_shows_no_year_its_clause_does_not_write(engine):
    from assistant.guard import check
    a = engine.ask("西城和东城人大代表中女性比例哪个要求高")
    assert "| 2020 |" not in a.answer and not check(a, engine.clause)


def test_a_single_question_naming_both_plans_gets_the_verdict(engine):
    a = engine.ask("东城和西城的普惠幼儿圆覆盖率目标，谁定得更高？")  # 幼儿圆: one sound-alike typo
    assert a.answerable and a.answer.startswith("更高的是东城区规划（90%）")
    a = engine.ask("曾都那边产筛率25年定的多少")  # 产筛率 = 产前筛查率
    assert a.answerable and "80%" in a.answer
