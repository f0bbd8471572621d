from assistant.answer.strategies.target_list import TargetList


def test_targets_that_share_a_value_word(tables, ask_query):
    from assistant.answer.context import Context
    from tests.answer.conftest import KeywordSearcher

    ctx = Context(tables.docs, tables.clauses, tables.targets, KeywordSearcher(tables.clauses[:1], tables.docs))
    d = TargetList().run(ask_query("儿童福利这块，北京市规划里哪些事情要实现全覆盖？"), ctx)
    assert "儿童医疗保险全覆盖" in d.answer and "未成年人保护工作站建设实现全覆盖" in d.answer
