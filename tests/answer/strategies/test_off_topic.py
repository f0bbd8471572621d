"""A request that is not about the plans is declined, quoting nothing."""


def test_a_poem_is_not_a_plan_question(engine):
    a = engine.ask("帮我写首关于春天的诗吧")
    assert not a.answerable and not a.citations and "规划" in a.answer


def test_the_weather_is_off_topic(engine):
    a = engine.ask("明天北京天气咋样，适合组织亲子活动不")
    assert not a.answerable and not a.citations


def test_letters_no_document_holds_are_no_question(engine):
    a = engine.ask("规划 asdfgh 咋整")
    assert not a.answerable and a.intent == "unsupported" and not a.citations
    a = engine.ask("HPV疫苗接种有什么要求")  # letters the texts use: a question like any other
    assert a.answerable and a.intent != "unsupported"
