from assistant.answer.strategies.structure import Structure
from assistant.guard import check


def test_document_number_and_date_from_the_header(small_ctx, ask_query):
    d = Structure().run(ask_query("曾都规划的文号是多少，哪天印发的？"), small_ctx)
    assert "曾政发〔2022〕8号" in d.answer and "2022年12月29日" in d.answer
    assert {c.clause_id for c in d.citations} == {"zengdu:综合/印发通知/2", "zengdu:综合/印发通知/12"}


def test_a_number_the_text_lacks_is_refused(small_ctx, ask_query):
    d = Structure().run(ask_query("东城区规划的发文字号是多少？"), small_ctx)
    assert not d.answerable and "没有发文字号" in d.answer


def test_counts_carry_the_clauses_they_counted(tables, ask_query):
    from assistant.answer.context import Context
    from tests.answer.conftest import KeywordSearcher

    ctx = Context(tables.docs, tables.clauses, tables.targets, KeywordSearcher(tables.clauses[:1], tables.docs))
    d = Structure().run(ask_query("北京市规划妇女部分主要目标一共多少条？策略措施几条？"), ctx)
    assert "主要目标58条" in d.answer and "策略措施63条" in d.answer  # the press report's counts
    assert not check(d.final(), ctx.clause)
    forged = d.final().model_copy(update={"counts": [c.model_copy(update={"value": 59}) for c in d.counts]})
    assert check(forged, ctx.clause)  # a count its clauses do not make is not let through


def test_the_plans_of_one_file_are_cited_where_the_notice_quotes_them(engine):
    a = engine.ask("曾政发〔2022〕8号印发的是哪几个规划？")
    assert any("现将《曾都区妇女发展规划" in c.quote.replace(" ", "") or "现将《曾都区妇女发展规划" in engine.clause(c.clause_id).text
               for c in a.citations)


def test_a_chapter_outside_the_domains_is_counted_by_itself(engine):
    a = engine.ask("西城规划组织实施部分一共写了几条？")
    assert a.answerable and "组织实施5条" in a.answer
    a = engine.ask("曾都规划监测评估有几条？")  # one chapter per plan of the file
    assert "妇女部分" in a.answer and "儿童部分" in a.answer and a.answer.count("监测评估5条") == 2


def test_a_follow_up_naming_the_other_part_counts_that_part(tables, ask_query):
    from assistant.answer.context import Context
    from tests.answer.conftest import KeywordSearcher

    ctx = Context(tables.docs, tables.clauses, tables.targets, KeywordSearcher(tables.clauses[:1], tables.docs))
    d = Structure().run(ask_query("儿童那块呢", ["北京市规划妇女部分分了几个领域"]), ctx)
    assert "儿童部分分7个领域" in d.answer and "妇女部分" not in d.answer
    # the part's own heading is cited with its domains' headings
    assert ctx.clause(d.citations[0].clause_id).text.startswith("三、保障儿童优先发展")
    d = Structure().run(ask_query("曾都妇女规划健康那部分主要目标有几条"), ctx)
    assert "妇女与健康：主要目标11条" in d.answer


def test_the_date_cites_the_signature_line_above_it(tables, ask_query):
    from assistant.answer.context import Context
    from tests.answer.conftest import KeywordSearcher

    ctx = Context(tables.docs, tables.clauses, tables.targets, KeywordSearcher(tables.clauses[:1], tables.docs))
    d = Structure().run(ask_query("东城规划的发文单位和日期是？"), ctx)
    assert "2021年12月30日" in d.answer and "北京市东城区人民政府" in d.answer
    texts = [ctx.clause(c.clause_id).text.strip() for c in d.citations]
    assert "北京市东城区人民政府" in texts and "2021年12月30日" in texts


def test_a_domain_of_both_parts_is_counted_per_part_and_principles_are_counted(tables, ask_query):
    from assistant.answer.context import Context
    from tests.answer.conftest import KeywordSearcher

    ctx = Context(tables.docs, tables.clauses, tables.targets, KeywordSearcher(tables.clauses[:1], tables.docs))
    d = Structure().run(ask_query("曾都健康领域主要目标有几条？"), ctx)
    assert "儿童与健康：主要目标13条" in d.answer and "妇女与健康：主要目标11条" in d.answer
    d = Structure().run(ask_query("曾都妇女规划的基本原则有几条？"), ctx)
    assert "基本原则5条" in d.answer


def test_a_count_cites_every_item_it_counted_and_a_domain_list_the_sentence_naming_them(tables, ask_query):
    from assistant.answer.context import Context
    from tests.answer.conftest import KeywordSearcher

    ctx = Context(tables.docs, tables.clauses, tables.targets, KeywordSearcher(tables.clauses[:1], tables.docs))
    d = Structure().run(ask_query("东城儿童与家庭主要目标一共几条？"), ctx)
    goals = [c for c in ctx.clauses_of["dongcheng"] if c.domain == "儿童与家庭" and c.section == "主要目标"]
    assert "主要目标8条" in d.answer and {c.clause_id for c in goals} <= {c.clause_id for c in d.citations}
    d = Structure().run(ask_query("东城规划儿童部分分了哪几个领域？"), ctx)
    texts = [ctx.clause(c.clause_id).text for c in d.citations]
    assert any("健康、安全、教育、福利、家庭、环境、法律" in t for t in texts)


def test_which_plans_a_file_issued_is_no_date_and_the_signer_line_of_xicheng_is_kept(tables, ask_query):
    from assistant.answer.context import Context
    from tests.answer.conftest import KeywordSearcher

    ctx = Context(tables.docs, tables.clauses, tables.targets, KeywordSearcher(tables.clauses[:1], tables.docs))
    d = Structure().run(ask_query("曾政发〔2022〕8号印发的是哪几个规划？"), ctx)
    assert "2022年12月29日" not in d.answer and "曾都区儿童发展规划" in d.answer
    d = Structure().run(ask_query("西城区规划印发日期"), ctx)
    texts = [ctx.clause(c.clause_id).text.strip() for c in d.citations]
    # the 落款 repeats the title's issuer line: both are clauses (a page repeat is dropped elsewhere)
    assert "北京市西城区人民政府" in texts and "2022 年 4 月 1 日" in texts


def test_a_period_given_as_a_five_year_plan_also_cites_the_plans_target_year(engine):
    a = engine.ask("西城的规划期限到哪一年？")
    assert "2025" in a.answer and not check(a, engine.clause)
    # the year comes from a clause that says 到2025年, cited beside the title
    assert any("到2025年" in engine.clause(c.clause_id).text.replace(" ", "") for c in a.citations)


def test_whether_one_file_issued_both_plans_names_them_with_the_number(engine):
    a = engine.ask("曾都的妇女规划和儿童规划是一个文件发的吗？文号多少？")
    assert "曾政发〔2022〕8号" in a.answer and "《曾都区儿童发展规划(2021—2030年)》" in a.answer


def test_a_section_asked_after_a_domain_count_is_counted_in_that_domain(engine):
    a = engine.ask("策略措施一共几条？", ["东城规划妇女与健康领域一共几条主要目标？"])
    assert "妇女与健康" in a.answer and "策略措施9条" in a.answer
    a = engine.ask("策略措施一共几条？", ["东城规划妇女与健康领域一共几条主要目标？", "其中有具体数值的是哪条？"])
    assert "策略措施9条" in a.answer  # a turn about the domain's figures in between keeps the domain


def test_a_file_named_by_its_number_cites_the_line_that_holds_it(engine):
    a = engine.ask("曾政发〔2022〕8号这个文件里有几个规划？")
    assert a.answerable and "曾都区妇女发展规划" in a.answer
    assert any("曾政发〔2022〕8号" in (c.quote or "") for c in a.citations)
