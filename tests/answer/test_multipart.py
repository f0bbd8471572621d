"""Splitting a question into parts (assistant/answer/multipart.py)."""

from assistant.answer.multipart import enumerated


def test_items_share_what_they_belong_to():
    assert enumerated("曾都每千名儿童的儿科医生和床位分别要到多少?", []) == [
        "曾都每千名儿童的儿科医生要到多少?", "曾都每千名儿童的床位要到多少?"]


def test_a_short_item_shares_the_last_items_noun():
    assert enumerated("东城对5岁和12岁孩子的龋齿分别怎么控制", []) == ["东城对5岁孩子的龋齿怎么控制", "东城对12岁孩子的龋齿怎么控制"]
    assert enumerated("小学、初中和高中的近视率分别是多少", []) == ["小学的近视率是多少", "初中的近视率是多少", "高中的近视率是多少"]


def test_each_controlled_splits_too():
    assert len(enumerated("东城儿童口腔那块,5岁乳牙和12岁恒牙龋患率各控制在多少", [])) == 2


def test_a_part_that_only_names_its_subject_asks_what_the_part_before_asked(tables, ask_query):
    from assistant.answer.multipart import split

    parts = split(ask_query("东城每千名儿童儿科医生多少？床位呢？"), tables.docs)
    assert len(parts) == 2 and parts[1].asks_number and "每千名儿童" in parts[1].history_text
    # two indicators asked in two questions are two parts (one strategy answering both missed the second)
    parts = split(ask_query("西城每个街道至少配几名社会工作者？区级儿童服务类社会组织呢"), tables.docs)
    assert len(parts) == 2 and parts[1].asks_number


def test_a_subject_with_ne_then_a_bare_figure_ask_is_one_question():
    from assistant.answer.multipart import sub_questions
    assert sub_questions("乳腺癌筛查率呢？具体定了多少") == ["乳腺癌筛查率呢？具体定了多少"]
    assert len(sub_questions("中期评估谁来组织？第几年搞？")) == 2  # two asks of their own


def test_a_words_only_target_asked_as_a_sibling_is_refused(engine):
    a = engine.ask("乳腺癌筛查率呢？具体定了多少", ["曾都的宫颈癌筛查率要达到多少"])
    assert not a.answerable and "具体数值" in a.answer and "逐步提高" in a.answer


def test_reached_then_target_in_one_question(engine):
    a = engine.ask("西城十三五末普惠性幼儿园覆盖率是多少，十四五又要求到多少？")
    assert a.answerable and "82.49%" in a.answer and "85%" in a.answer


def test_now_asks_what_was_reached(engine):
    a = engine.ask("西城处级女干部比例现在是多少")
    assert a.answerable and "35.7%" in a.answer


def test_each_listed_item_is_answered_when_one_is_no_known_indicator(engine):
    # 新生儿遗传代谢病筛查 is no lexicon indicator; the two others are: all three are answered
    a = engine.ask("曾都新生儿遗传代谢病筛查、听力筛查、新生儿访视这几个率分别要多少")
    assert a.answerable and all(v in a.answer for v in ("98%", "90%", "95%"))


def test_a_space_after_an_ask_separates_two_questions_and_parts_do_not_repeat(engine):
    a = engine.ask("七普西城常住人口多少 女性占比多少")
    assert a.answerable and "110.6" in a.answer and "51.5%" in a.answer
    a = engine.ask("曾都儿童伤害死亡率要降多少 基数是哪年的")
    assert a.answer.count("以2020年为基数下降20%") == 1
