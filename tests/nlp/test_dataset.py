"""The labelled messages keep the taxonomy's codes (they are the contract other tools read)."""
from nlp import dataset


def test_every_label_is_a_taxonomy_code():
    records = dataset.load("all")
    assert len(records) >= 2500
    assert dataset.label_problems(records) == []


def test_a_broken_label_is_reported():
    good = dataset.Record("电梯坏了", "complaint", "elevator", False, "3", None, None, None, "x:1")
    broken = [
        dataset.Record("电梯坏了", "complaint", None, False, None, None, None, None, "x:2"),
        dataset.Record("你好", "greeting", "elevator", False, None, None, None, None, "x:3"),
        dataset.Record("你好", "hello", None, False, None, None, None, None, "x:4"),
        dataset.Record("三号楼", "complaint", "elevator", False, "三", None, None, None, "x:5"),
    ]
    assert dataset.label_problems([good]) == []
    assert [p.split(":")[1] for p in dataset.label_problems(broken)] == ["2", "3", "4", "5"]
