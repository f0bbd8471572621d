from assistant.answer.context import Context
from assistant.answer.strategies.status import StatusAnswer
from assistant.guard import check
from assistant.models import Observation


def _ctx(small_ctx, observations):
    return Context(small_ctx.docs, small_ctx.clauses, small_ctx.targets, small_ctx.retriever, observations=lambda: observations)


def _obs(region, year, value):  # sample values made up for the test, as the fixture table marks them
    return Observation(region=region, indicator_key="孕产妇死亡率", indicator="孕产妇死亡率", year=year, value=value,
                       unit="/10万", written=f"{value} 1/10万", source="样例数据（虚构）")


def test_met_with_both_numbers_and_the_target_clause(small_ctx, ask_query):
    ctx = _ctx(small_ctx, [_obs("东城区", 2023, 5.2)])
    d = StatusAnswer().run(ask_query("东城区孕产妇死亡率达标了吗？"), ctx)
    assert "已达标" in d.answer and "5.2" in d.answer and "7／10万" in d.answer
    assert d.citations[0].clause_id == "dongcheng:妇女/健康/主要目标/2"
    assert not check(d.final(), ctx.clause)


def test_the_gap_is_checked_like_any_figure(small_ctx, ask_query):
    ctx = _ctx(small_ctx, [_obs("东城区", 2023, 7.5)])
    d = StatusAnswer().run(ask_query("东城区孕产妇死亡率离目标还差多少？"), ctx)
    assert "未达标" in d.answer and "0.5" in d.answer and not check(d.final(), ctx.clause)
    forged = d.final().model_copy(update={"differences": [x.model_copy(update={"value": 0.7}) for x in d.differences]})
    assert check(forged, ctx.clause)


def test_no_data_says_so(small_ctx, ask_query):
    d = StatusAnswer().run(ask_query("东城区孕产妇死亡率达标了吗？"), _ctx(small_ctx, []))
    assert "无数据" in d.answer


def test_nothing_observed_is_no_status(small_ctx, ask_query):
    d = StatusAnswer().run(ask_query("曾都规划的指标达标了没？"), _ctx(small_ctx, []))
    assert d is not None and not d.answerable and "监测值" in d.answer


def test_a_basis_figure_against_the_earlier_plans_target_and_this_ones(engine):
    a = engine.ask("西城党代会女代表比例十三五末是49.9%，对十三五目标和十四五目标分别算达标吗？")
    assert a.answerable and "已达标" in a.answer and all(v in a.answer for v in ("49.9%", "30%", "40%"))


def test_a_report_figure_for_part_of_an_indicator_is_held_against_the_whole_target(engine):
    a = engine.ask("2018年全市初中就近入学比例够不够市里规划的标准？")
    assert a.answerable and "未达标" in a.answer and "96%以上" in a.answer and "99%以上" in a.answer


def test_how_far_above_the_target_is_in_percentage_points(engine):
    a = engine.ask("西城区政协女委员比例37.56%，比十三五目标高多少？")
    assert "7.56个百分点" in a.answer


def test_a_target_period_named_takes_that_periods_targets_only(engine):
    a = engine.ask("西城普惠园覆盖率82.49%，超过十三五规划目标了吗？")
    assert not a.answerable  # 西城 states no 十三五 target for it; the 十四五 85% is another period's


def test_a_status_with_only_a_qualitative_target_is_no_status(engine):
    a = engine.ask("西城区处级女干部比例35.7%，达到规划要求没有？")
    assert not a.answerable and "定性" in a.answer


def test_a_subject_without_an_indicator_is_not_a_list_of_every_status(engine):
    a = engine.ask("全市儿童之家建设覆盖率2018年是30.7%，达到市里十四五规划的目标了吗？")
    assert not a.answerable and "就近入学" not in a.answer
