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
    intent_probs, category_probs, _ = classifier.scores("8号楼电梯坏了")
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


def test_shipped_head_is_the_averaged_ensemble(tmp_path):
    """The one weight matrix per head gives the same probabilities as averaging the
    temperature-scaled scores of the logistic regression and the SVM it was folded from."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    from nlp import train as training
    from nlp.features import Vectorizer, tokens

    rows = _tiny_corpus()
    docs = [tokens(r["text"]) for r in rows]
    X = Vectorizer.fit(docs).transform(docs)
    complaints = [i for i, r in enumerate(rows) if r["intent"] == "complaint"]
    for Xy, labels in ((X, [r["intent"] for r in rows]),  # three classes
                       (X[complaints], [rows[i]["category"] for i in complaints])):  # two classes
        y = np.array(labels)
        choice = training._HeadChoice({"logreg": 10.0, "svm": 1.0}, {"logreg": 1.5, "svm": 4.0}, 2.0,
                                      np.empty(0), 0.0)
        head = training._fit_head(Xy, y, choice)
        scores = Xy.toarray() @ head.weights + head.bias
        lr = LogisticRegression(C=10.0, max_iter=5000, class_weight="balanced").fit(Xy, y)
        svm = LinearSVC(C=1.0, class_weight="balanced", max_iter=20000, random_state=training.SEED).fit(Xy, y)

        def both_columns(s):
            return s if s.ndim == 2 else np.column_stack([-s / 2, s / 2])

        expected = (1.5 * both_columns(lr.decision_function(Xy))
                    + 4.0 * both_columns(svm.decision_function(Xy))) / 2 * 2.0
        np.testing.assert_allclose(scores, expected, rtol=1e-4, atol=1e-4)
        assert head.classes == tuple(sorted(set(labels)))


def test_two_class_scores_give_the_logistic_probabilities():
    from sklearn.linear_model import LogisticRegression

    from nlp.train import _linear, _softmax

    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1]])
    y = np.array(["a", "b", "a", "b"])
    model = LogisticRegression().fit(X, y)
    weights, bias = _linear(model)
    np.testing.assert_allclose(_softmax(X @ weights + bias), model.predict_proba(X), atol=1e-9)


def test_report_and_meta_carry_the_cross_validated_choices(tmp_path):
    data = tmp_path / "labelled"
    data.mkdir()
    (data / "a.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in _tiny_corpus()),
                                  encoding="utf-8")
    report = train(data, tmp_path / "m.json", intent_c=10.0, category_c=10.0)
    meta = Classifier.load(tmp_path / "m.json").meta
    assert meta["choices"]["intent logreg C"] == 10.0 and meta["choices"]["intent svm C"] in (1.0, 3.0)
    for name in ("intent accuracy", "category macro-F1 (end to end)", "low-confidence share"):
        assert 0.0 <= report.cv[name] <= 1.0 and meta["cv"][name] == round(report.cv[name], 4)
    assert all(0.0 <= t <= 0.99 for t in report.thresholds.values())


def test_an_artefact_of_another_format_is_refused(tmp_path):
    from nlp.model import FORMAT, ModelMissing

    path = tmp_path / "old.json"
    path.write_text(json.dumps({"format": FORMAT - 1}), encoding="utf-8")
    with pytest.raises(ModelMissing, match="retrain"):
        Classifier.load(path)


def test_the_urgent_head_raises_what_the_rules_let_pass(tmp_path):
    """The shipped classifier with its urgent head moved to certainty: a message no rule finds
    urgent becomes an urgent complaint (no reason: the advice is the general one), survives the
    artefact round trip, and without a threshold nothing is raised."""
    from nlp.model import Head
    from nlp.understand import Understander
    from nlp.urgency import detect_urgency

    text = "楼下那家好像没人 门口的猫一直在挠门叫"
    assert not detect_urgency(text).urgent
    shipped = Classifier.load()
    n = len(shipped.vectorizer.vocabulary)
    certain = Head(("0", "1"), np.zeros((n, 2), dtype=np.float32), np.array([-10.0, 10.0], dtype=np.float32))
    classifier = Classifier(shipped.vectorizer, shipped.intent, shipped.category,
                            dict(shipped.thresholds, urgent=0.5), shipped.meta, certain)
    classifier.save(tmp_path / "c.json")
    loaded = Classifier.load(tmp_path / "c.json")
    u = Understander(loaded)(text)
    assert u.urgent and u.intent == "complaint" and u.urgency_reason is None
    without = Classifier(shipped.vectorizer, shipped.intent, shipped.category,
                         {k: v for k, v in shipped.thresholds.items() if k != "urgent"}, shipped.meta, certain)
    assert not Understander(without)(text).urgent
