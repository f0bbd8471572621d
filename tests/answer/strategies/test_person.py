"""Who holds an office: a name the text gives next to that office, or an honest refusal."""


def test_a_name_the_report_gives_next_to_the_office(engine):
    a = engine.ask("2018年开第六次妇女儿童工作会议的时候，市妇儿工委主任是谁？")
    assert a.answerable and "张工" in a.answer and a.citations[0].doc_id == "bj_wcc_2018"


def test_an_office_the_texts_name_no_one_for_is_refused(engine):
    for q in ("市妇儿工委办公室主任叫什么名字？", "西城区妇儿工委主任是谁？"):
        a = engine.ask(q)
        assert not a.answerable and "姓名" in a.answer and not a.citations
