"""Reading one turn (assistant/answer/parse.py)."""

from assistant.answer.intent import Intent
from assistant.answer.parse import read_turn


def test_elliptical_and_topical_turns(tables):
    assert read_turn("那西城呢？", tables.docs).elliptical
    assert read_turn("那有什么措施？", tables.docs).elliptical
    assert read_turn("换成儿童的呢？", tables.docs).elliptical
    assert not read_turn("托育有什么措施？", tables.docs).elliptical


def test_which_and_pointing_words(tables):
    assert read_turn("哪个定得高？", tables.docs).which == "higher"
    assert read_turn("东城和西城谁更严", tables.docs).which == "stricter"
    assert read_turn("这个规划要求很高", tables.docs).which is None
    assert read_turn("这些养老指标由哪个委办局负责？", tables.docs).anaphora


def test_a_context_clause_does_not_set_the_year(tables):
    t = read_turn("国家纲要要求2030年新生儿死亡率降到3‰以下，我们曾都定的多少？", tables.docs)
    assert t.year is None and t.doc_ids == ["zengdu"] and t.indicator_keys == ["新生儿死亡率"] and t.context


def test_places_outside_the_corpus_come_from_the_general_table(tables):
    assert read_turn("海淀的呢？", tables.docs).unknown_regions == ["海淀区"]
    assert read_turn("黄浦区孕产妇死亡率目标是多少", tables.docs).unknown_regions == ["黄浦区"]
    assert read_turn("南京市的规划呢", tables.docs).unknown_regions == ["南京市"]
    # ordinary words that are also place aliases are not places; a plan's own province is not unknown
    assert read_turn("曾都新建和改扩建几所学校？", tables.docs).unknown_regions == []
    assert read_turn("湖北曾都的孕产妇死亡率", tables.docs).unknown_regions == []
    # …nor one that describes the district named before it; a parent plan asked about still is unknown
    assert read_turn("曾都是湖北的，跟北京比一下城镇单位就业人员中女性比例", tables.docs).unknown_regions == []
    assert read_turn("曾都跟随州市的规划比呢", tables.docs).unknown_regions == ["随州市"]


def test_indicator_names_match_without_their_brackets(tables):
    t = read_turn("曾都每千名儿童儿科执业助理医生和床位分别要到多少", tables.docs)
    assert set(t.indicator_keys) == {"每千名儿童儿科执业医师数", "每千名儿童床位数"}


def test_which_with_a_verb_and_de_and_the_context_plan_as_one_side(tables):
    assert read_turn("曾都呢？哪个配得多？", tables.docs).which == "higher"
    assert read_turn("谁降得低", tables.docs).which == "lower"
    assert read_turn("哪个区对居委会主任女性比例的要求更高？", tables.docs).which == "higher"
    assert read_turn("哪个区的规划对这个有要求，标准高吗", tables.docs).which is None  # no 更/最: no comparison
    t = read_turn("曾都每千名儿童儿科医生要到1.12名，东城定的多少？哪个更高", tables.docs)
    assert set(t.doc_ids) == {"zengdu", "dongcheng"} and t.intent == Intent.COMPARE
    # a context plan without a which-question is not asked (西城…是49.9%，东城定的多少)
    assert read_turn("曾都每千名儿童儿科医生要到1.12名，东城定的多少？", tables.docs).doc_ids == ["dongcheng"]


def test_a_document_number_names_its_plan(tables):
    t = read_turn("曾政发〔2022〕8号这个文件里包括哪几个规划？", tables.docs)
    assert t.doc_ids == ["zengdu"] and t.intent == Intent.STRUCTURE


def test_a_bare_measure_name_asks_for_its_figure(tables):
    assert read_turn("曾都农村社区家长学校比例", tables.docs).asks_number
    assert not read_turn("曾都家长学校有什么措施", tables.docs).asks_number


def test_a_list_sharing_the_first_items_measure_noun(tables):
    assert read_turn("婴儿死亡率和5岁以下呢", tables.docs).indicator_keys == ["婴儿死亡率", "5岁以下儿童死亡率"]


def test_pointing_back_at_several_subjects(tables):
    assert read_turn("东城这俩数呢", tables.docs).several == 2 and read_turn("东城的呢", tables.docs).several == 0


def test_two_digit_years_are_read_as_years(tables):
    assert read_turn("18年的婚前医学检查率是多少？", tables.docs).year == 2018
    t = read_turn("18年那份总结里城乡低保标准是多少？", tables.docs)
    assert t.doc_ids == ["bj_wcc_2018"] and t.year == 2018
    assert read_turn("2018年那个总结里，2019年计划新建多少个儿童之家", tables.docs).year == 2019
    assert read_turn("12岁儿童龋患率多少", tables.docs).year is None  # an age is not a year


def test_how_a_figure_was_set_asks_for_the_figure(tables):
    assert read_turn("市里社区家长学校的比例怎么定的？", tables.docs).intent == Intent.TARGET_VALUE
    assert read_turn("托育服务怎么推进？", tables.docs).intent == Intent.MEASURE


def test_a_ratio_word_compares_nothing(tables):
    assert not read_turn("市里社区和村建家长学校的比例是多少？", tables.docs).compares
    assert read_turn("跟市里比呢？", tables.docs).compares


def test_saying_target_is_an_intent_said(tables):
    t = read_turn("那十四五规划对党代会女性比例定的目标是多少？", tables.docs)
    assert t.intent == Intent.TARGET_VALUE and t.intent_said
    assert not read_turn("党代会女性比例是多少？", tables.docs).intent_said


def test_whether_an_indicator_has_a_figure_asks_for_one(tables):
    t = read_turn("东城托位数有量化目标吗？", tables.docs)
    assert t.intent == Intent.TARGET_VALUE and t.asks_number


def test_a_province_level_short_name_is_a_place_outside_the_corpus(tables):
    assert read_turn("上海每千人口托位数定的多少", tables.docs).unknown_regions == ["上海市"]


def test_a_parent_named_apart_from_its_district_is_outside_the_corpus(tables):
    assert read_turn("随州市曾都区孕产妇死亡率目标多少", tables.docs).unknown_regions == []
    assert read_turn("曾都的目标跟随州市的规划比是高还是低？", tables.docs).unknown_regions == ["随州市"]


def test_a_mistyped_indicator_name_is_read_as_the_name(tables):
    assert read_turn("东城孕产妇死忙率要控制在多少", tables.docs).indicator_keys == ["孕产妇死亡率"]


def test_who_holds_an_office_and_requests_off_the_plans(tables):
    assert read_turn("市妇儿工委主任是谁？", tables.docs).intent == Intent.PERSON
    assert read_turn("牵头单位是谁？", tables.docs).intent == Intent.OWNER
    assert read_turn("帮我写首关于春天的诗吧", tables.docs).intent == Intent.UNSUPPORTED


def test_either_or_asks_which_is_higher(tables):
    assert read_turn("比东城高还是低", tables.docs).which == "higher"


def test_a_stop_word_does_not_cut_into_a_kept_word(tables):
    assert "中期评估" in read_turn("东城规划中期评估安排在第几年？", tables.docs).topic


def test_have_is_not_a_subject_word():
    from assistant.answer.parse import own_subject
    assert own_subject("儿童有") == "儿童"


def test_a_place_is_not_an_item_of_a_list(tables):
    t = read_turn("曾都小学生和初中生近视率要降到多少？", tables.docs)
    assert set(t.indicator_keys) == {"小学生近视率", "初中生近视率"}


def test_the_committee_named_alone_is_not_its_work_report(tables):
    assert read_turn("市妇儿工委各成员单位每年啥时候之前要报本系统规划实施情况？", tables.docs).doc_ids != ["bj_wcc_2018"]
    assert read_turn("18年市妇儿工委总结里说公厕男女厕位比例按多少设置？", tables.docs).doc_ids == ["bj_wcc_2018"]


def test_a_province_pointing_at_its_district_is_no_place_outside_the_corpus(tables):
    assert read_turn("湖北那个曾都区妇女基本医疗保险参保率要稳定在多少以上", tables.docs).unknown_regions == []
    assert read_turn("曾都的目标跟随州市的规划比是高还是低？", tables.docs).unknown_regions == ["随州市"]


def test_only_a_character_that_sounds_alike_is_a_typo(tables):
    # 服务圈 (quān) is a word of the plans, not 服务率 (lǜ) mistyped
    assert read_turn("东城规划里说的妇幼健康服务圈是几分钟的", tables.docs).indicator_keys == []
    assert read_turn("5岁以下儿童贫血律要控制在多少", tables.docs).indicator_keys != []


def test_chat_words_are_read_as_written_words(tables):
    t = read_turn("西城规划啥时候发布的", tables.docs)
    assert "什么时候" in t.text and t.intent in (Intent.STRUCTURE, Intent.FACT)  # both try the header first


def test_several_figures_asked_at_once_are_a_list(tables):
    for q in ["市里妇女参与决策和管理领域，有哪些是带百分比的指标？", "市里儿童与教育的主要目标，有数字的是哪几条",
              "东城规划妇女部分里提到要“全覆盖”的都有啥", "市里儿童与教育的主要目标有哪几条"]:
        assert read_turn(q, tables.docs).intent == Intent.TARGET_LIST, q
    assert read_turn("市里儿童与教育的主要目标有几条", tables.docs).intent == Intent.STRUCTURE


def test_a_context_sentence_does_not_set_the_subject_the_question_asks(tables):
    t = read_turn("曾都宫颈癌筛查率我知道是70%，那乳腺癌人群筛查率要达到多少？", tables.docs)
    assert "宫颈癌筛查率" not in t.indicator_keys and "乳腺癌" in t.topic and "宫颈癌" not in t.topic
    t = read_turn("国家纲要要求2030年新生儿死亡率降到3‰以下，我们东城定的多少？", tables.docs)
    assert t.indicator_keys == ["新生儿死亡率"]  # the asked part names nothing: the context's subject it is


def test_a_period_and_when_words_name_no_subject(tables):
    assert read_turn("西城十三五的时候实际做到多少了", tables.docs).elliptical
    assert read_turn("东城也是这样吗", tables.docs).elliptical


def test_an_actual_value_of_a_year_asks_what_was_reached(tables):
    for q in ["东城区2020年实际的孕产妇死亡率是多少", "东城2020年实际孕产妇死亡率是多少"]:
        assert read_turn(q, tables.docs).achieved, q


def test_a_figure_the_question_points_at_is_its_subject_not_context(tables):
    t = read_turn("东城疫苗接种率那个95%，是以什么为单位算的？", tables.docs)
    assert not t.context and "接种率" in t.topic
    from assistant.answer.parse import _split_context

    assert _split_context("西城普惠园覆盖率要达到多少？之前十三五末是82.49%")[0] == "之前十三五末是82.49%"  # stated: context


def test_the_verb_before_the_asked_figure_is_not_the_subject(engine):
    assert engine.understand("溺水死亡率降多少", []).topic == "溺水死亡率"
    assert engine.understand("西城儿科医生要提高到多少", []).topic == "儿科医生"


def test_a_domain_name_with_one_character_mistyped(engine):
    assert engine.understand("市里规划 妇女参与决策和管里 主要目标一共几条", []).domain_key == "决策管理"


def test_a_list_of_measures_asks_measures_not_targets(tables):
    for q in ["曾都防儿童溺水都有哪些措施", "市里规划预防和制止家暴都有哪些举措？"]:
        assert read_turn(q, tables.docs).intent == Intent.MEASURE, q
    assert read_turn("近视防控相关的指标都有哪些", tables.docs).intent == Intent.TARGET_LIST


def test_a_then_at_that_time_remark_is_no_subject(tables):
    assert "会儿" not in read_turn("市妇儿工委有几个成员单位？18年开会那会儿的数", tables.docs).topic


def test_the_asked_part_pointing_at_the_context_place_is_that_place(tables):
    t = read_turn("听说朝阳区也出了十四五妇儿规划，他们孕产妇死亡率定的多少？", tables.docs)
    assert t.unknown_regions == ["朝阳区"]
    t = read_turn("国家纲要要求2030年新生儿死亡率降到3‰以下，我们东城定的多少？", tables.docs)
    assert t.unknown_regions == [] and t.doc_ids == ["dongcheng"]


def test_an_age_range_as_staff_type_it_is_the_written_range(tables):
    assert "0-14岁" in read_turn("0到14岁的孩子有多少", tables.docs).text
