"""Who holds an office: a name the text gives next to that office, or an honest refusal."""


def test_a_name_the_report_gives_next_to_the_office(engine):
    a = engine.ask("2018年开第六次妇女儿童工作会议的时候，市妇儿工委主任是谁？")
    assert a.answerable and "张工" in a.answer and a.citations[0].doc_id == "bj_wcc_2018"


def test_an_office_the_texts_name_no_one_for_is_refused(engine):
    for q in ("市妇儿工委办公室主任叫什么名字？", "西城区妇儿工委主任是谁？"):
        a = engine.ask(q)
        assert not a.answerable and "姓名" in a.answer and not a.citations


def test_the_holder_today_is_not_the_one_a_dated_text_names(engine):
    a = engine.ask("市妇儿工委现在的主任是谁")
    assert not a.answerable and "现任" in a.answer and "张工" in a.answer  # what the text says, marked as then
    a = engine.ask("市妇儿工委办现在的主任叫啥")  # the office (办), not the committee the report names
    assert not a.answerable and "张工" not in a.answer
