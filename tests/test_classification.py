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


def test_a_notebook_run_replaces_its_older_rows_and_keeps_the_others(monkeypatch):
    import lmcourse.classification as classification

    monkeypatch.setenv("LMCOURSE_PROFILE", "full")
    monkeypatch.setattr(classification, "_NOTEBOOKS_RECORDED", set())
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 25_000)
    p = np.clip(y * 0.6 + rng.random(25_000) * 0.4, 0, 1)
    for name, notebook in (("old model", "09"), ("LSTM", "08")):
        record_imdb(name, y, p, notebook=notebook, train_labels=10, train_seconds=None)
    monkeypatch.setattr(classification, "_NOTEBOOKS_RECORDED", set())  # a new run of notebook 09
    record_imdb("new model", y, p, notebook="09", train_labels=10, train_seconds=None)
    record_imdb("another", y, p, notebook="09", train_labels=10, train_seconds=None)
    assert sorted(r["model"] for r in IMDB_TABLE.rows("cache")) == ["LSTM", "another", "new model"]


def test_result_table_drop_checks_its_match():
    with pytest.raises(ValueError, match="key fields"):
        IMDB_TABLE.drop(cpu="x")
    with pytest.raises(ValueError, match="key fields"):
        IMDB_TABLE.drop()


def test_nb_log_count_ratio_is_the_naive_bayes_weight():
    from scipy import sparse

    from lmcourse.classification import nb_log_count_ratio

    X = sparse.csr_matrix(np.array([[1, 0, 1], [1, 0, 0], [0, 1, 1], [0, 1, 0]]))
    y = np.array([1, 1, 0, 0])
    r = nb_log_count_ratio(X, y, alpha=1.0)
    p, q = np.array([3, 1, 2]), np.array([1, 3, 2])  # 1 + counts in positive and in negative rows
    assert np.allclose(r, np.log(p / p.sum()) - np.log(q / q.sum()))
    assert r[0] > 0 > r[1] and r[2] == pytest.approx(0.0)  # positive word, negative word, neutral word


def test_nbsvm_learns_polar_ngrams_and_tunes_on_dev():
    from lmcourse.classification import NaiveBayesScaler, nbsvm, tune_C

    texts = ["a great film , loved it", "great acting , not bad", "a waste of time", "not good , awful"] * 10
    labels = np.array([1, 1, 0, 0] * 10)
    scores, model = tune_C(nbsvm(ngram_range=(1, 2)), texts, labels, ["loved it", "a waste"], [1, 0], [0.1, 1.0])
    assert set(scores) == {0.1, 1.0} and max(scores.values()) == 1.0
    assert model.predict(["great , loved it", "awful waste"]).tolist() == [1, 0]
    scaler = model[1]
    assert isinstance(scaler, NaiveBayesScaler)
    names = list(model[0].get_feature_names_out())
    assert scaler.ratio_[names.index("not bad")] > 0 > scaler.ratio_[names.index("not good")]  # bigrams keep negation
    assert "!" in nbsvm()[0].build_tokenizer()("wow !")  # exclamation marks are tokens


def test_tune_C_fits_the_features_once_and_returns_the_best_model():
    from lmcourse.classification import tfidf_logreg, tune_C

    texts = ["good", "great fun", "bad", "awful mess"] * 5
    labels = [1, 1, 0, 0] * 5
    pipeline = tfidf_logreg()
    scores, fitted = tune_C(pipeline, texts, labels, ["good fun", "a mess"], [1, 0], [0.01, 1.0, 100.0])
    assert fitted is pipeline and list(scores) == [0.01, 1.0, 100.0]
    best = max(scores, key=scores.get)
    assert fitted[-1].C == best
    with pytest.raises(ValueError, match="at least one C"):
        tune_C(tfidf_logreg(), texts, labels, texts, labels, [])
    with pytest.raises(ValueError, match="differ in length"):
        tune_C(tfidf_logreg(), texts, labels[:3], texts, labels, [1.0])
