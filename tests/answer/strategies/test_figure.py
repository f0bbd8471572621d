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


def test_a_ratio_with_a_colon_is_one_figure(engine):
    a = engine.ask("2018年总结里公厕男女厕位比例是多少？")
    assert a.answerable and "1:2" in a.answer


def test_ages_answer_how_old(engine):
    a = engine.ask("18年工作总结里，老年人社会优待服务范围从多少岁扩展到多少岁？")
    assert a.answerable and "65岁" in a.answer and "60岁" in a.answer


def test_a_rate_is_not_answered_by_another_rate(engine):
    a = engine.ask("曾都乳腺癌筛查率要到多少？")
    assert not a.answerable and "90%" not in a.answer  # 防治知识知晓率达90% counts something else


def test_a_target_asked_of_a_plan_period_is_not_a_reached_figure(engine):
    a = engine.ask("那十四五西城儿童之家有没有具体数量目标", ["西城儿童之家到十三五末建了多少所"])
    assert not a.answerable and "256" not in a.answer  # 发展基础's 256所 was reached, no target
    a = engine.ask("东城有具体托位数吗", ["曾都3岁以下婴幼儿托位数2025年要达到每千人口多少个？"])
    assert not a.answerable and "具体数值" in a.answer


def test_a_count_in_ten_thousands_answers_how_many(engine):
    a = engine.ask("西城十三五新增学前教育学位多少个？")  # 新增学前教育学位 1.06万个
    assert a.answerable and "1.06" in a.answer



def test_a_question_naming_the_plan_period_is_not_answered_by_what_was_reached(engine):
    # 西城's 发展基础: 十三五…义务教育学位 4.88 万个 — reached, not the 十四五's number
    a = engine.ask("西城十四五期间要新增多少个义务教育学位？")
    assert not a.answerable
    a = engine.ask("那十四五咱们区党代会女性比例定的多少？", ["西城十三五期末区党代会女代表比例是多少来着？"])
    assert "40%" in a.answer and "49.9%" not in a.answer


def test_the_committee_naming_the_report_is_not_the_asked_subject(engine):
    # 市妇儿工委 names the report's author: the sentence about its measures (市妇儿工委办公室通过…) holds no figure
    a = engine.ask("2018年市妇儿工委的工作总结里，全市新建了多少个儿童之家？")
    assert a.answerable and "2144个" in a.answer


def test_a_short_figure_question_sits_in_the_frame_of_the_turn_before(engine):
    a = engine.ask("覆盖率到多少了", ["2018年市妇儿工委的工作总结里，全市新建了多少个儿童之家？"])
    assert a.answerable and "30.7%" in a.answer


def test_a_figure_that_restates_the_words_before_it_answers_them(engine):
    a = engine.ask("十三五期间西城帮扶女性登记失业人员就业，一共多少人实现就业？")
    assert a.answerable and "25017" in a.answer
    for q in ("市里村委会主任中女性比例要达到多少", "曾都村委会主任中女性比例要达到多少"):
        assert "30%" not in engine.ask(q).answer, q  # (…成员…30%以上,村委会主任…保持稳定: another subject's figure)
