from assistant.answer.strategies.target_value import TargetValue
from assistant.guard import check, counted
from assistant.text import norm


def test_a_typed_figure_with_its_clause(small_ctx, ask_query):
    d = TargetValue().run(ask_query("东城区孕产妇死亡率目标是多少"), small_ctx)
    assert d.answerable and "7/10万" in norm(d.answer)
    assert [c.clause_id for c in d.citations] == ["dongcheng:妇女/健康/主要目标/2"]
    assert not check(d.final(), small_ctx.clause)


def test_a_value_in_words_comes_with_its_normalised_figure(small_ctx, ask_query):
    d = TargetValue().run(ask_query("曾都区2025年孕产妇死亡率要控制在多少？"), small_ctx)
    assert "万分之一" in d.answer and "10/10万" in norm(d.answer)


def test_a_year_outside_the_period_is_refused(small_ctx, ask_query):
    d = TargetValue().run(ask_query("东城区2030年孕产妇死亡率目标是多少"), small_ctx)
    assert not d.answerable and "规划期" in d.answer


def test_no_row_hands_over_to_the_next_strategy(small_ctx, ask_query):
    assert TargetValue().run(ask_query("东城规划里学校门口多少米内不能划停车位？"), small_ctx) is None


def test_a_broad_indicator_set_in_words_is_answered_by_its_narrower_figures(engine):
    a = engine.ask("曾都近视率 小学初中高中各要降到多少")
    assert a.answerable and all(v in norm(a.answer) for v in ("38%", "60%", "70%"))


def test_a_latin_term_the_row_lacks_is_not_answered_by_it(engine):
    a = engine.ask("西城适龄女童九价HPV疫苗接种率目标是多少")
    assert not a.answerable and "95%" not in a.answer  # the 免疫规划 row is another vaccine's rate


def test_two_figures_of_one_clause_are_both_given(engine):
    a = engine.ask("曾都每千名儿童的儿科医生和床位分别要到多少？")
    assert a.answerable and "1.12名" in a.answer and "3.17张" in a.answer
    assert not a.answer.count("：、")  # a row after a list comma is shown without it


def test_the_year_of_a_target_is_answered_with_the_target(engine):
    a = engine.ask("这是到哪年的", ["东城这边教室照明合格率要达到多少？课桌椅呢"])
    assert a.answerable and "2025年" in a.answer and "80%" in a.answer
    # a target its clause does not date: the plan period's end, with the plan's own 到2025年 cited
    a = engine.ask("西城普惠园覆盖率85%是哪一年的目标")
    assert a.answerable and "到2025年" in a.answer and len({c.clause_id for c in a.citations}) == 2


def test_a_pace_only_target_answers_a_requirement_and_refuses_a_level(engine):
    a = engine.ask("西城对学生近视有什么硬性要求吗，比如视力不良检出率")
    assert a.answerable and "1 个百分点" in a.answer
    a = engine.ask("西城视力不良检出率要降到多少")
    assert not a.answerable and "每年的变化幅度" in a.answer and "定性" not in a.answer


def test_the_broad_caries_word_asks_both_ages(engine):
    # 龋齿 / 龋患率 name neither age: the two narrower indicators (5岁乳牙, 12岁恒牙) are the answer
    a = engine.ask("东城5岁和12岁儿童龋齿率分别控制在多少？")
    assert a.answerable and "60%" in a.answer and "25%" in a.answer


def test_a_words_only_target_with_narrower_figures_shows_both(engine):
    a = engine.ask("曾都的近视率目标呢", ["近视这块东城主要目标是怎么定的"])
    assert a.answerable and "明显下降" in a.answer and "38%" in a.answer and "70%" in a.answer


def test_a_sibling_stated_only_in_words_is_refused_with_its_quote(engine):
    a = engine.ask("乳腺癌呢", ["曾都适龄妇女宫颈癌筛查率要多少"])
    assert not a.answerable and "规划没有给出具体数值" in a.answer and "逐步提高" in a.answer and "70%" not in a.answer


def test_a_region_less_answer_names_the_first_plans_and_counts_the_rest(small_ctx, ask_query, monkeypatch):
    from assistant.answer import compose

    every = TargetValue().run(ask_query("孕产妇死亡率目标是多少"), small_ctx)
    plans = {c.clause_id.split(":")[0] for c in every.citations}
    assert len(plans) >= 2 and "另有" not in every.answer and not every.counts
    monkeypatch.setattr(compose, "REGIONLESS_PLANS", 1)  # thousands of plans, in a fixture of a few
    d = TargetValue().run(ask_query("孕产妇死亡率目标是多少"), small_ctx)
    assert {c.clause_id.split(":")[0] for c in d.citations} == {every.citations[0].clause_id.split(":")[0]}
    assert f"另有{len(plans) - 1}个规划也设定了" in d.answer and "对比" in d.answer
    assert not check(d.final(), small_ctx.clause, small_ctx.known_clauses)  # the count is vouched by its clauses
    n = str(len(plans) - 1)
    assert counted(d.counts, small_ctx.clause, small_ctx.known_clauses) == {n}  # one existing clause per plan
    assert counted(d.counts, small_ctx.clause) == {n}  # the same, clause by clause
    made_up = [c.model_copy(update={"clause_ids": [f"nowhere:{i}" for i in range(c.value)]}) for c in d.counts]
    assert not counted(made_up, small_ctx.clause, small_ctx.known_clauses)
