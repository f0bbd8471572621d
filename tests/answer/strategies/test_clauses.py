"""The fallback clause answer (assistant/answer/strategies/clauses.py)."""


def test_a_follow_up_is_answered_only_by_a_clause_about_the_conversations_subject(engine):
    history = ["东城规划里对校园门口的停车位有什么规定？"]
    assert engine.ask(history[0]).answerable  # 东城: 校园出入口两侧50米范围内不得施划道路停车泊位
    a = engine.ask("西城有类似规定吗？", history)
    assert not a.answerable  # 西城's 校园 clauses say nothing of parking
