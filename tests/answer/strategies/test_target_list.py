from assistant.answer.strategies.target_list import TargetList


def test_targets_that_share_a_value_word(tables, ask_query):
    from assistant.answer.context import Context
    from tests.answer.conftest import KeywordSearcher

    ctx = Context(tables.docs, tables.clauses, tables.targets, KeywordSearcher(tables.clauses[:1], tables.docs))
    d = TargetList().run(ask_query("儿童福利这块，北京市规划里哪些事情要实现全覆盖？"), ctx)
    assert "儿童医疗保险全覆盖" in d.answer and "未成年人保护工作站建设实现全覆盖" in d.answer


def test_a_reports_figures_of_the_asked_kind_and_a_domains_quantified_targets(tables, ask_query):
    from assistant.answer.context import Context
    from tests.answer.conftest import KeywordSearcher

    report = [c for c in tables.clauses if c.doc_id == "bj_wcc_2018"]
    ctx = Context(tables.docs, tables.clauses, tables.targets, KeywordSearcher(report, tables.docs))
    d = TargetList().run(ask_query("18年市财政在妇女儿童领域投入的几笔钱分别是多少"), ctx)
    assert all(v in d.answer for v in ("40亿元", "8.6亿元", "4亿元", "1.87亿元"))
    assert "2144个" not in d.answer  # money was asked: the report's counts are not listed
    d = TargetList().run(ask_query("市里妇女参与决策和管理领域，有哪些是带百分比的指标？"), ctx)
    assert all(v in d.answer for v in ("35%", "50%", "45%", "30%"))


def test_a_value_the_list_question_names_selects_the_targets_of_that_value(engine):
    a = engine.ask("曾都儿童福利目标里要求100%的有哪几项")
    assert a.answerable and a.citations and all("100%" in c.quote for c in a.citations)
    # a short row shows what it measures: …建立未成年人保护站,覆盖率达到100%
    assert "未成年人保护站" in a.answer


def test_a_domain_named_before_its_goals_without_the_word_domain(engine):
    a = engine.ask("东城妇女参与决策管理里有具体比例的目标都有哪些")
    assert all(x in a.answer for x in ("30%", "35%", "50%", "45%"))
    assert all(c.clause_id.startswith("dongcheng:妇女/决策管理/") for c in a.citations)


def test_a_quoted_value_word_lists_the_goals_worded_so(engine):
    a = engine.ask("市里妇女参与决策管理，要求“保持稳定”的有哪些")
    assert a.intent == "target_list" and all(x in a.answer for x in ("人大代表", "事业单位", "村委会主任"))
    assert all("保持稳定" in c.quote for c in a.citations)


def test_an_elliptical_turn_keeps_the_earlier_selection(engine):
    a = engine.ask("西城呢？", ["东城儿童福利这块，哪些事项要实现全覆盖？"])
    assert a.answerable and "儿童医疗保险全覆盖" in a.answer and "60%" not in a.answer
