"""Judging classifiers: metrics agree with scikit-learn, errors, the IMDb table, the TF-IDF baseline."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn import metrics  # noqa: E402

import lmcourse.results as results  # noqa: E402
from lmcourse.classification import (  # noqa: E402
    IMDB_TABLE,
    binary_report,
    fit_tfidf_logreg,
    most_confident_errors,
    plot_confusion,
    plot_roc,
    record_imdb,
    tune_tfidf_logreg,
)


@pytest.fixture(autouse=True)
def _private(tmp_path, monkeypatch):
    monkeypatch.setenv("LMCOURSE_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LMCOURSE_RECORD", raising=False)
    monkeypatch.setattr(results, "repo_results_dir", lambda: tmp_path / "repo_results")
    yield
    plt.close("all")


def test_binary_report_agrees_with_sklearn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p = np.clip(0.3 * y + rng.random(300) * 0.7, 0, 1)
    report = binary_report(y, p, threshold=0.4)
    predicted = (p >= 0.4).astype(int)
    assert report["accuracy"] == pytest.approx(metrics.accuracy_score(y, predicted))
    assert report["f1"] == pytest.approx(metrics.f1_score(y, predicted))
    assert report["roc_auc"] == pytest.approx(metrics.roc_auc_score(y, p))
    assert report["confusion"] == metrics.confusion_matrix(y, predicted).tolist()
    assert binary_report(y, p[:, None])["n"] == 300  # a Keras (n, 1) output


@pytest.mark.parametrize("y, p, message", [
    ([0, 1], [0.5], "same length"), ([], [], "empty"), ([0, 2], [0.1, 0.2], "labels must be 0"),
    ([0, 1], [0.1, 1.5], "probabilities"), ([0, 1], [0.1, float("nan")], "probabilities"),
])
def test_binary_report_explains_bad_input(y, p, message):
    with pytest.raises(ValueError, match=message):
        binary_report(y, p)


def test_one_class_has_no_auc():
    assert binary_report([1, 1], [0.9, 0.2])["roc_auc"] is None


def test_most_confident_errors_orders_by_confidence():
    texts = ["a", "b", "c", "d"]
    errors = most_confident_errors(texts, [1, 0, 1, 0], [0.3, 0.99, 0.02, 0.1], k=2)
    assert [e["text"] for e in errors] == ["b", "c"]  # 0.49 and 0.48 away from the threshold
    with pytest.raises(ValueError, match="texts"):
        most_confident_errors(["a"], [1, 0], [0.2, 0.3])


def test_record_imdb_takes_only_the_whole_test_set(monkeypatch):
    monkeypatch.setenv("LMCOURSE_PROFILE", "full")
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 25_000)
    p = np.clip(y * 0.6 + rng.random(25_000) * 0.4, 0, 1)
    report = record_imdb("TF-IDF", y, p, notebook="08", train_labels=25_000, train_seconds=12.3)
    row = IMDB_TABLE.rows("cache")[0]
    assert row["model"] == "TF-IDF" and row["test_accuracy"] == pytest.approx(report["accuracy"], abs=1e-4)
    assert row["cpu"] and row["matmul_gflops_fp32"] > 0
    with pytest.raises(ValueError, match="25,000"):
        record_imdb("x", y[:100], p[:100], notebook="08", train_labels=1, train_seconds=None)


def test_plots_draw():
    y, p = [0, 1, 0, 1], [0.1, 0.8, 0.75, 0.7]
    assert "AUC 0.750" in plot_roc({"m": (y, p)}).get_legend().get_texts()[0].get_text()
    ax = plot_confusion(y, p)
    assert [t.get_text() for t in ax.texts] == ["1", "1", "0", "2"]


def test_tfidf_baseline_learns_bigrams_and_tunes_on_dev():
    good = ["a good film", "really good", "good fun", "i liked it", "good acting", "liked the film"] * 5
    bad = ["not good at all", "really not good", "not good fun", "i hated it", "not good acting",
           "hated the film"] * 5
    texts, labels = good + bad, np.array([1] * len(good) + [0] * len(bad))
    model = fit_tfidf_logreg(texts, labels, C=10.0)
    assert model.predict(["not good"])[0] == 0 and model.predict(["good"])[0] == 1
    scores = tune_tfidf_logreg(texts, labels, texts, labels, Cs=[0.1, 10.0])
    assert set(scores) == {0.1, 10.0} and scores[10.0] >= scores[0.1]
    with pytest.raises(ValueError, match="at least one C"):
        tune_tfidf_logreg(texts, labels, texts, labels, Cs=[])
