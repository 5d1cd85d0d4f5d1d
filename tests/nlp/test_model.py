"""Training, the shipped artefact format, and the split that keeps the test set unseen."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nlp import dataset
from nlp.model import Classifier, decode_array, encode_array
from nlp.train import train

ROOT = Path(__file__).resolve().parents[2]


def test_array_round_trip():
    a = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    blob = json.loads(json.dumps(encode_array(a)))
    np.testing.assert_array_equal(decode_array(blob), a)


def test_split_is_stable_and_about_a_fifth():
    texts = [f"第{i}条消息" for i in range(2000)]
    assert [dataset.split_of(t) for t in texts] == [dataset.split_of(t) for t in texts]
    share = sum(dataset.split_of(t) == "test" for t in texts) / len(texts)
    assert 0.17 < share < 0.23
    assert dataset.split_of(" 你好 ") == dataset.split_of("你好")


def _tiny_corpus() -> list[dict]:
    rows = []
    for i in range(12):
        rows.append({"text": f"{i + 1}号楼电梯又坏了，按钮没反应", "intent": "complaint", "category": "elevator"})
        rows.append({"text": f"{i + 1}栋楼道灯不亮，晚上黑乎乎", "intent": "complaint", "category": "public_lighting"})
        rows.append({"text": f"请问{i + 1}月的物业费多少钱", "intent": "fee_inquiry", "category": None})
        rows.append({"text": f"你好，第{i + 1}次用，怎么绑定房子", "intent": "greeting", "category": None})
    for r in rows:
        r.update(urgent=False, building=None, unit=None, room=None, place=None)
    return rows


def test_train_writes_a_loadable_model_and_never_reads_the_test_split(tmp_path):
    rows = _tiny_corpus()
    # A message with a word of its own that falls in the test split: training must not see it.
    secret = next(f"蝾螈{i}号楼电梯坏了" for i in range(1000)
                  if dataset.split_of(f"蝾螈{i}号楼电梯坏了") == "test")
    rows.append({**rows[0], "text": secret})
    data = tmp_path / "labelled"
    data.mkdir()
    (data / "part_x.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "model.json"

    report = train(data, out, intent_c=10.0, category_c=10.0)

    classifier = Classifier.load(out)
    assert not any("蝾" in name for name in classifier.vectorizer.vocabulary)
    assert report.records == sum(dataset.split_of(r["text"]) == "train" for r in rows)
    intent_probs, category_probs = classifier.probabilities("8号楼电梯坏了")
    assert classifier.intent.classes[int(intent_probs.argmax())] == "complaint"
    assert classifier.category.classes[int(category_probs.argmax())] == "elevator"
    assert intent_probs.sum() == pytest.approx(1.0, abs=1e-5)


def test_training_is_reproducible(tmp_path):
    data = tmp_path / "labelled"
    data.mkdir()
    (data / "a.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in _tiny_corpus()),
                                  encoding="utf-8")
    train(data, tmp_path / "one.json", intent_c=10.0, category_c=10.0)
    train(data, tmp_path / "two.json", intent_c=10.0, category_c=10.0)
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()


def test_runtime_needs_no_scikit_learn():
    code = ("import sys, nlp; nlp.understand('3号楼电梯坏了'); "
            "print(any(m == 'sklearn' or m.startswith('sklearn.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
