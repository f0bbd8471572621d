"""ReportScope: a work report asked about a place it never names is refused, not answered with the city's figure."""

from assistant.answer.strategies.report_scope import ReportScope


def test_a_report_asked_about_a_district_it_never_names(engine):
    q = engine.understand("曾都18年的工作总结里儿童之家建了多少个", [])
    d = ReportScope().run(q, engine.ctx)
    assert d is not None and not d.answerable and "曾都区" in d.answer and "2144" not in d.answer
    a = engine.ask("18年那份总结里西城区的婚检率是多少")
    assert not a.answerable and "16.5%" not in a.answer


def test_a_report_asked_about_its_own_city_is_asked_as_usual(engine):
    assert ReportScope().run(engine.understand("2018年工作总结里全市新建了多少个儿童之家", []), engine.ctx) is None
