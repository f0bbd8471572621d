"""The carry-over rules of assistant/answer/state.py, one test each (read on the real manifest)."""

from assistant.answer.intent import Intent


def test_an_elliptical_turn_keeps_the_topic_and_takes_the_region(ask_query):
    q = ask_query("那西城呢？", ["东城区孕产妇死亡率目标是多少？"])
    assert q.doc_ids == ["xicheng"] and q.indicator_keys == ["孕产妇死亡率"] and q.inherited


def test_an_elliptical_year_keeps_plan_and_indicator(ask_query):
    q = ask_query("2025年呢？", ["曾都儿童规划里，2030年新生儿死亡率要降到多少？"])
    assert q.year == 2025 and q.doc_ids == ["zengdu"] and q.indicator_keys == ["新生儿死亡率"]


def test_a_new_topic_drops_the_old_year_and_indicator(ask_query):
    q = ask_query("北京市十四五规划里托育有什么措施？", ["曾都2030年孕产妇死亡率要控制在多少？"])
    assert q.indicator_keys != ["孕产妇死亡率"] and q.year != 2030 and q.intent == Intent.MEASURE
    q = ask_query("托育有什么措施？", ["东城区孕产妇死亡率目标是多少？"])
    assert q.indicator_keys == [] and q.doc_ids == ["dongcheng"]  # the region carries on


def test_a_pointing_turn_keeps_the_indicator_and_takes_its_own_intent(ask_query):
    q = ask_query("这个指标每年由谁监测？", ["北京市规划里新生儿死亡率定的多少？"])
    assert q.indicator_keys == ["新生儿死亡率"] and q.intent == Intent.OWNER and q.doc_ids == ["beijing"]


def test_a_place_outside_the_corpus_is_refused_for_that_turn_only(ask_query):
    history = ["东城区孕产妇死亡率目标是多少？", "通州的呢？"]
    q = ask_query("通州的呢？", history[:1])
    assert q.unknown_regions == ["通州区"]
    q = ask_query("那西城呢？", history)  # the refused turn left the state as it was
    assert q.doc_ids == ["xicheng"] and q.indicator_keys == ["孕产妇死亡率"]


def test_going_back_restores_the_earlier_subject(ask_query):
    history = ["东城儿童口腔这块，5岁儿童乳牙患龋率控制在多少？", "西城区孕产妇死亡率目标是多少？"]
    q = ask_query("回到刚才东城那个，市里呢？", history)
    assert q.indicator_keys == ["5岁儿童乳牙患龋率"]


def test_which_is_stricter_compares_the_plans_asked_about(ask_query):
    q = ask_query("哪个更严？", ["东城教室照明合格率要多少？", "西城呢？"])
    assert q.intent == Intent.COMPARE and q.doc_ids == ["dongcheng", "xicheng"] and q.which == "stricter"
    assert q.indicator_keys == ["教室照明合格率"]


def test_the_city_means_the_plans_own_parent(ask_query):
    assert ask_query("市里呢？", ["东城区孕产妇死亡率目标是多少？"]).doc_ids == ["beijing"]
    # 曾都's parent plan (随州市) is not in the corpus: said formally, that is the answer; said
    # colloquially, staff mean the corpus' city plan, and the answer notes the parent is missing
    q = ask_query("跟上级规划比呢？", ["曾都区孕产妇死亡率目标是多少？"])
    assert q.unknown_regions == ["随州市"]
    q = ask_query("市里呢？", ["曾都区孕产妇死亡率目标是多少？"])
    assert q.doc_ids == ["beijing"] and q.unknown_regions == [] and "随州市" in q.notes[0]
    q = ask_query("和市里比呢？", ["西城区党代会中女性比例要求不低于多少？"])
    assert q.doc_ids == ["xicheng", "beijing"] and q.intent == Intent.COMPARE


def test_a_parallel_question_keeps_year_and_plans(ask_query):
    q = ask_query("那妇幼工作经费呢？", ["2018年市财政拿了多少钱支持中小学课后服务？"])
    assert q.year == 2018 and q.asks_number


def test_these_two_ask_the_last_turns_subjects_again(ask_query):
    q = ask_query("西城这两个数是多少", ["曾都每千名儿童儿科医生要配多少", "床位呢"])
    assert q.doc_ids == ["xicheng"] and [f.topic for f in q.subjects_back] == ["每千名儿童儿科医生", "床位"]
    assert q.subjects_back[1].context  # 床位 is read within the earlier topic (每千名儿童…)


def test_what_was_reached_carries_to_a_parallel_turn_but_not_past_a_named_year(ask_query):
    history = ["西城十三五期末党代会女代表实际到了多少"]
    assert ask_query("人大和政协的呢", history).achieved
    assert not ask_query("那十四五西城区人大代表里女性比例要达到多少？", history + ["人大和政协的呢"]).achieved


def test_a_document_question_takes_no_content_subject(ask_query):
    q = ask_query("西城这个规划哪天印发的，文号是啥", ["西城儿童之家建了多少所"])
    assert q.intent == Intent.STRUCTURE and not q.inherited
    q = ask_query("西城2030年新生儿死亡率目标呢", ["西城规划儿童与健康一共有几条？"])
    assert q.intent != Intent.STRUCTURE and q.indicator_keys == ["新生儿死亡率"]


def test_a_reports_own_city_word_does_not_add_the_city_plan(ask_query):
    q = ask_query("比上年提高多少", ["2018年市妇儿工委工作总结里，全市婚前医学检查率到多少了？"])
    assert q.doc_ids == ["bj_wcc_2018"] and q.inherited and q.indicator_keys == ["婚前医学检查率"]


def test_city_words_mean_the_city_plan_the_conversation_asked_about(ask_query):
    q = ask_query("市里社区和村建家长学校的比例怎么定的？", ["北京市十四五规划里5岁以下儿童贫血率控制在多少？", "曾都呢？"])
    assert q.doc_ids == ["beijing"] and q.unknown_regions == []
    q = ask_query("市级规划定的是多少？", ["曾都妇女规划里城镇单位就业人员中女性比例要达到多少？"])
    assert q.unknown_regions == ["随州市"]  # 曾都's own city plan is not in the corpus


def test_this_rate_points_back_to_the_earlier_indicator(ask_query):
    q = ask_query("西城十三五末这个覆盖率实际到了多少？", ["东城区十四五规划里，普惠性幼儿园覆盖率要达到多少？"])
    assert q.indicator_keys == ["普惠性幼儿园覆盖率"] and q.achieved and q.doc_ids == ["xicheng"]


def test_a_target_asked_in_so_many_words_drops_the_reached_value(ask_query):
    q = ask_query("那十四五规划对党代会女性比例定的目标是多少？", ["西城规划里说十三五期末区党代会女代表比例到了多少？"])
    assert not q.achieved and q.intent == Intent.TARGET_VALUE


def test_a_bare_this_points_back(ask_query):
    q = ask_query("这个具体是哪个委办局牵头？", ["东城对女党员比例有没有数字要求"])
    assert q.inherited and q.indicator_keys == ["中共党员中女性比例"] and q.intent == Intent.OWNER


def test_going_back_takes_the_earlier_subject_the_turn_names(ask_query):
    history = ["西城中小学生体质健康达标优良率是多少？", "对孩子每天运动时间有要求吗", "曾都对学生睡眠时间怎么规定的？"]
    q = ask_query("回到刚才西城那个体质指标，市里定的多少？", history)
    assert q.indicator_keys == ["中小学生体质健康达标优良率"]


def test_the_base_of_a_change_is_not_the_year_asked(ask_query):
    q = ask_query("儿童之家呢？", ["18年那份总结里婚前医学检查率到多少了？", "比2017年提高了多少？"])
    assert q.year != 2017


def test_a_figure_asked_after_a_measure_is_a_figure(ask_query):
    q = ask_query("那市里儿童新发视力不良检出率要降到具体多少？", ["市里规划对中小学生视力不良检出率怎么要求的？"])
    assert q.intent == Intent.TARGET_VALUE


def test_a_year_only_a_work_report_covers_names_that_report(ask_query):
    # 2018 is inside no plan's period: 全市 there is the report's city, and the chat stays with the report
    q = ask_query("2018年全市婚前医学检查率到了多少？")
    assert q.doc_ids == ["bj_wcc_2018"]
    q = ask_query("第六次全市妇女儿童工作会议哪天开的", ["2018年市妇儿工委有多少个成员单位"])
    assert q.doc_ids == ["bj_wcc_2018"]
    # a status question sets the report's figure against a plan: the plan stays
    assert "beijing" in ask_query("2018年全市初中就近入学比例够不够市里规划的标准？").doc_ids


def test_asking_something_new_of_a_subject_keeps_the_subject(ask_query):
    history = ["回到东城，5岁以下儿童死亡率要降到多少？", "这个指标由谁负责监测？"]
    q = ask_query("那有什么措施？", history)
    assert q.indicator_keys == ["5岁以下儿童死亡率"] and "监测" not in q.retrieval_text


def test_also_asks_the_earlier_subject_with_the_new_one(ask_query):
    q = ask_query("东城呢？课桌椅也说下", ["教室照明合格率，西城到2025年要到多少？"])
    assert q.indicator_keys == ["教室照明合格率", "课桌椅分配达标率"] and q.doc_ids == ["dongcheng"]
    assert "也说下" not in q.topic
    q = ask_query("哪个区要求更严？", ["教室照明合格率，西城到2025年要到多少？", "东城呢？课桌椅也说下"])
    assert q.intent == Intent.COMPARE and set(q.doc_ids) == {"xicheng", "dongcheng"}


def test_this_area_counts_the_earlier_domain_of_another_plan(ask_query):
    q = ask_query("市里这一块几条？", ["东城妇女与经济这一块主要目标一共几条？"])
    assert q.doc_ids == ["beijing"] and q.domain_key == "经济" and q.population == "妇女"


def test_a_year_another_plan_was_asked_for_does_not_stick_to_a_plan_without_it(ask_query):
    history = ["东城孕产妇死亡率要控制在多少？", "曾都2030年那个和东城比，哪个更严？"]
    assert ask_query("那东城为保障孕产妇安全有什么措施？", history).year is None


def test_a_section_named_after_a_count_is_counted(ask_query):
    q = ask_query("策略措施呢？", ["曾都妇女与环境主要目标有几条？"])
    assert q.intent == Intent.STRUCTURE and q.domain_key == "环境"


def test_both_sides_and_which_with_one_plan_named_compare_the_chat_plans(ask_query):
    history = ["回到西城，每千名儿童床位数要增到多少？"]
    q = ask_query("曾都这个指标定的多少？哪个高？", history)
    assert q.intent == Intent.COMPARE and set(q.doc_ids) == {"xicheng", "zengdu"}
    q = ask_query("儿科执业医师呢，两边分别多少？", history + ["曾都这个指标定的多少？哪个高？"])
    assert set(q.doc_ids) == {"xicheng", "zengdu"}


def test_which_compares_the_plans_the_chat_asked_this_indicator_of(ask_query):
    history = ["东城每千名儿童床位数要增到多少张啊", "儿科医生呢", "社区卫生服务中心要配几个儿保医生", "曾都那边千名儿童床位定的多少"]
    q = ask_query("哪个多", history)
    assert q.intent == Intent.COMPARE and set(q.doc_ids) == {"dongcheng", "zengdu"}
    # only plans asked of this indicator: 东城 asked about 孕产妇 does not join 床位's comparison
    q = ask_query("哪个多", ["东城孕产妇死亡率多少", "曾都每千名儿童床位定的多少"])
    assert q.doc_ids == ["zengdu"]


def test_a_place_after_subjects_asked_in_turn_asks_each_of_them(ask_query):
    history = ["咱西城社区居委会主任里女性比例定的多少？", "居委会成员呢"]
    q = ask_query("曾都呢", history)
    assert q.doc_ids == ["zengdu"] and len(q.subjects_back) == 2
    assert all(any(x in f.topic for f in q.subjects_back) for x in ("主任", "成员"))
    # a place named in each turn is no such run: 那西城呢 then 曾都呢 asks the one subject
    assert ask_query("曾都呢", ["东城孕产妇死亡率多少", "那西城呢"]).subjects_back == []


def test_a_reached_value_asked_after_a_target_drops_the_targets_year(ask_query):
    history = ["西城普惠性幼儿园覆盖率到2025年要达到多少", "东城呢", "哪个定得高"]
    q = ask_query("西城十三五的时候实际做到多少了", history)
    assert q.inherited and q.achieved and q.year is None and q.doc_ids == ["xicheng"]


def test_whether_this_plan_is_higher_compares_it_with_the_plan_before(ask_query):
    history = ["市里规划里每千名儿童床位要增到多少", "儿科医生呢"]
    q = ask_query("曾都的儿科医生配比是不是高不少", history)
    assert q.which == "higher" and set(q.doc_ids) == {"beijing", "zengdu"}


def test_that_year_is_the_year_the_chat_named_last(ask_query):
    history = ["2018年全市婚前医学检查率是多少？", "西城规划里对婚检率有目标吗"]
    q = ask_query("那一年市财政投了多少妇幼工作经费？", history)
    assert q.year == 2018 and q.doc_ids == ["bj_wcc_2018"]


def test_a_word_of_the_earlier_subject_narrows_it(ask_query):
    history = ["市里规划里孤儿和事实无人抚养儿童生活费保障标准是怎么定的？", "社区和村建家长学校的比例要求呢"]
    q = ask_query("东城社区的是多少？", history)
    assert q.inherited and "家长学校" in q.topic and q.doc_ids == ["dongcheng"]
    # a longer question of its own, naming its plan, asks anew
    history = ["那年修订公厕规范，商场这些地方男女厕位比例按多少设置？"]
    assert not ask_query("十四五市级规划对男女厕位比例有啥要求？", history).inherited


def test_a_choice_among_the_counted_goals_lists_their_figures(ask_query):
    q = ask_query("其中有具体数值的是哪条？", ["东城规划妇女与健康领域一共几条主要目标？"])
    assert q.intent == Intent.TARGET_LIST and q.domain_key == "健康" and q.doc_ids == ["dongcheng"]


def test_siblings_of_an_earlier_narrower_indicator_are_asked_the_same_way(ask_query):
    q = ask_query("初中高中呢", ["曾都小学生近视率要降到多少"])
    assert q.indicator_keys == ["初中生近视率", "高中生近视率"] and q.doc_ids == ["zengdu"] and q.asks_number
    # the broad indicator with its parts named in the same turn asks those parts
    q = ask_query("近视率呢？也是分小学初中高中吧", ["曾都对学生睡眠时间有要求吗？"])
    assert q.indicator_keys == ["小学生近视率", "初中生近视率", "高中生近视率"]


def test_the_city_asked_with_which_joins_the_plans_set_side_by_side(ask_query):
    q = ask_query("市里呢？三家里谁要求最高？", ["西城到2025年教室照明合格率要达到多少？", "东城呢？"])
    assert q.intent == Intent.COMPARE and set(q.doc_ids) == {"xicheng", "dongcheng", "beijing"}


def test_a_turn_asking_what_the_plan_says_does_not_inherit_a_figure_ask(ask_query):
    history = ["每个乡镇街道至少配几个社工", "东城的要求呢"]
    assert not ask_query("那市里对社区儿童主任是什么要求", history).asks_number
    assert ask_query("那市里呢", history).asks_number


def test_going_back_with_a_long_subject_of_its_own_asks_that_of_the_earlier_plan(ask_query):
    history = ["东城千人养老床位要提高到几张", "西城呢", "东城和西城护理型床位占比哪个要求高", "曾都妇女基本养老保险参保率要到多少"]
    q = ask_query("回到刚才东城那个养老，街道养老服务联合体是以什么为核心平台", history)
    assert not q.inherited and q.indicator_keys == [] and q.doc_ids == ["dongcheng"]
    q = ask_query("回到刚才东城那个普惠园，措施上咋写的", ["东城普惠性幼儿园覆盖率要达到多少", "西城居委会成员里女性比例要多少"])
    assert q.doc_ids == ["dongcheng"] and "普惠" in q.topic


def test_our_district_is_the_first_district_the_chat_named(ask_query):
    history = ["我在写东城的年度材料，咱区十四五孕产妇死亡率要控制在多少以内？", "市里呢？"]
    q = ask_query("那咱区这个指标具体归哪个委办局负责？", history)
    assert q.doc_ids == ["dongcheng"]
    # with no district named before, 咱区 says nothing of its own: the chat's plan stays
    assert ask_query("那咱们区呢？", ["市里孕产妇死亡率要控制在多少？"]).doc_ids == ["beijing"]


def test_a_district_called_our_own_stays_ours_after_other_districts(ask_query):
    history = ["我们西城5岁儿童乳牙患龋率要控制在多少", "东城有这个指标吗", "朝阳区呢？"]
    assert ask_query("换个事，十三五期间我们区普惠性幼儿园覆盖率到了多少", history).doc_ids == ["xicheng"]
    # 跟我们比: our district is the other side of the comparison
    q = ask_query("曾都普惠性幼儿园覆盖率要求多少，跟我们比谁高", history)
    assert set(q.doc_ids) == {"zengdu", "xicheng"}
    # the first district named is ours when no turn said so; a district named beside 咱区 as a contrast is not
    history = ["东城这边教室照明合格率要达到多少？", "曾都小学生近视率要降到多少？",
               "咱区有没有曾都那种小学生近视率降到百分之几的具体数"]
    assert ask_query("那咱区近视防控有啥措施", history).doc_ids == ["dongcheng"]


def test_the_first_turn_of_an_eight_turn_chat_still_says_whose_district_it_is(ask_query):
    history = ["我是东城妇儿工委办的，咱区新生儿死亡率目标定的多少？", "婴儿呢", "曾都2030年新生儿死亡率要降到多少",
               "2025年呢？", "西城呢", "市里呢", "曾都的孕产妇死亡率呢"]
    assert ask_query("那咱区规划的年度监测是谁牵头？", history).doc_ids == ["dongcheng"]


def test_a_target_asked_after_reached_values_is_not_one_more_reached_subject(ask_query):
    history = ["西城十三五期末区党代会女代表比例是多少来着？", "区人大女代表和政协女委员呢？",
               "那十四五咱们区党代会女性比例定的多少？"]
    q = ask_query("东城那边呢", history)
    assert q.doc_ids == ["dongcheng"] and q.indicator_keys == ["党代会代表中女性比例"] and not q.subjects_back


def test_a_new_indicator_compared_with_a_named_plan_keeps_the_plan_in_question(ask_query):
    history = ["我们西城区级党代会里女性比例十四五要求是多少"]
    q = ask_query("社区居委会主任里女性要占多少？跟东城对比一下", history)
    assert set(q.doc_ids) == {"xicheng", "dongcheng"}


def test_a_remark_after_the_question_is_not_its_subject(ask_query):
    history = ["东城区规划里，5岁以下儿童贫血率和生长迟缓率要控制在多少？", "那西城呢？"]
    q = ask_query("曾都的呢？感觉他们定得宽一点", history)
    assert q.doc_ids == ["zengdu"] and q.inherited and "宽" not in q.topic
    # a trailing request is no remark: it adds an indicator
    q = ask_query("2030年呢？婴儿死亡率也一起说下", ["曾都2025年新生儿死亡率要降到多少"])
    assert "婴儿死亡率" in q.indicator_keys


def test_a_short_parallel_subject_is_searched_in_the_earlier_frame(ask_query):
    q = ask_query("初中、高中呢", ["曾都对小学生睡眠时间有要求吗？"])
    assert "睡眠" in q.retrieval_text
    assert "死亡率" not in ask_query("那防溺水有啥措施？", ["曾都溺水死亡率呢，有具体数吗？"]).retrieval_text


def test_this_report_is_the_report_the_chat_asked_about(ask_query):
    q = ask_query("这份总结里学前教育投了多少钱，扩了多少学位？", ["2018年总结里儿童之家新建了多少个", "西城十三五末儿童之家建成多少所？"])
    assert q.doc_ids == ["bj_wcc_2018"]


def test_other_members_of_an_indicator_family_named_by_their_qualifier(ask_query):
    history = ["咱东城的规划里，5岁以下儿童死亡率要降到多少？"]
    q = ask_query("那新生儿和婴儿的呢？", history)
    assert q.indicator_keys == ["新生儿死亡率", "婴儿死亡率"]
    # 这三个 then points back at all three, and a later year keeps them
    history += ["那新生儿和婴儿的呢？", "那曾都呢，2025年这三个死亡率分别要到多少？"]
    q = ask_query("2030年呢？", history)
    assert set(q.indicator_keys) == {"5岁以下儿童死亡率", "新生儿死亡率", "婴儿死亡率"} and q.year == 2030


def test_a_bare_plan_before_a_question_of_its_own_asks_both(ask_query):
    q = ask_query("西城呢？护理床位占比多少？", ["东城养老床位，千人常住人口要提高到几张？"])
    assert q.doc_ids == ["xicheng"] and q.indicator_keys == ["千人养老床位数", "护理型床位占比"]
    q = ask_query("护理床位占比多少？", ["东城养老床位，千人常住人口要提高到几张？"])
    assert q.indicator_keys == ["护理型床位占比"]  # (no bare plan first: its own question only)
