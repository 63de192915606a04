"""Judging a binary classifier (labs 08–09): metrics from scikit-learn, plots, errors, the IMDb table.

A language model is judged by how much probability it gives to the text that
comes (perplexity); a classifier by the decisions it makes and how it ranks
examples. :func:`binary_report` computes the usual figures from true labels
and predicted probabilities, with ``sklearn.metrics``; :func:`record_imdb`
puts a model's report on the course's IMDb table (``results/imdb_results.json``
from ``make execute``; a learner's rows go to the data cache).

    >>> report = binary_report([0, 1, 1, 0], [0.2, 0.9, 0.4, 0.3])
    >>> report["accuracy"], report["precision"], report["recall"], report["roc_auc"]
    (0.75, 1.0, 0.5, 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from scipy import sparse
from sklearn import metrics
from sklearn.base import BaseEstimator, TransformerMixin

from .plots import COLORS, use_course_style
from .results import ResultTable

__all__ = ["IMDB_TABLE", "NaiveBayesScaler", "binary_report", "fit_tfidf_logreg", "most_confident_errors",
           "nb_log_count_ratio", "nbsvm", "plot_confusion", "plot_roc", "record_imdb", "tfidf_logreg", "tune_C",
           "tune_tfidf_logreg"]

IMDB_TABLE = ResultTable("imdb_results", key=("notebook", "model"), sort_by="test_accuracy", descending=True)
_NOTEBOOKS_RECORDED: set[tuple[str, str]] = set()  # (notebook, table file) this process has recorded into


def _check(y_true: Sequence[int] | np.ndarray, p_pred: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    p = np.asarray(p_pred, dtype=np.float64).reshape(-1) if np.ndim(p_pred) == 2 and np.shape(p_pred)[1] == 1 \
        else np.asarray(p_pred, dtype=np.float64)
    if y.ndim != 1 or p.ndim != 1 or len(y) != len(p):
        raise ValueError(f"need 1-D labels and probabilities of the same length, got shapes {y.shape} and {p.shape}"
                         " (a Keras model's (n, 1) output is fine: it is flattened)")
    if len(y) == 0:
        raise ValueError("no examples to judge: the labels are empty")
    if not set(np.unique(y)) <= {0, 1}:
        raise ValueError(f"labels must be 0 (negative) and 1 (positive), got values {sorted(set(np.unique(y)))[:5]}")
    if np.isnan(p).any() or p.min() < 0 or p.max() > 1:
        raise ValueError("predictions must be probabilities in [0, 1] (use a sigmoid output, or "
                         "scipy.special.expit on logits), with no NaN")
    return y.astype(int), p


def binary_report(y_true: Sequence[int] | np.ndarray, p_pred: Sequence[float] | np.ndarray,
                  threshold: float = 0.5) -> dict[str, Any]:
    """Accuracy, precision, recall, F1 (positive class), ROC-AUC and the confusion matrix.

    ``p_pred`` are probabilities of the positive class; predictions are
    ``p >= threshold``. ROC-AUC uses the probabilities themselves (it judges the
    ranking, whatever the threshold). The confusion matrix is
    ``[[true negatives, false positives], [false negatives, true positives]]``.
    """
    y, p = _check(y_true, p_pred)
    predicted = (p >= threshold).astype(int)
    both_classes = len(np.unique(y)) == 2
    return {
        "n": int(len(y)),
        "accuracy": float(metrics.accuracy_score(y, predicted)),
        "precision": float(metrics.precision_score(y, predicted, zero_division=0)),
        "recall": float(metrics.recall_score(y, predicted, zero_division=0)),
        "f1": float(metrics.f1_score(y, predicted, zero_division=0)),
        "roc_auc": float(metrics.roc_auc_score(y, p)) if both_classes else None,
        "confusion": metrics.confusion_matrix(y, predicted, labels=[0, 1]).tolist(),
        "threshold": float(threshold),
    }


def plot_roc(curves: dict[str, tuple[Sequence[int], Sequence[float]]], ax: plt.Axes | None = None) -> plt.Axes:
    """ROC curves of several models: ``{name: (y_true, p_pred)}``, with each model's AUC in the legend.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> plot_roc({"coin": ([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])}).get_xlabel()
    'false positive rate'
    """
    if ax is None:
        use_course_style()
        _, ax = plt.subplots(figsize=(4.8, 4.4))
    for i, (name, (y_true, p_pred)) in enumerate(curves.items()):
        y, p = _check(y_true, p_pred)
        fpr, tpr, _ = metrics.roc_curve(y, p)
        ax.plot(fpr, tpr, color=COLORS[i % len(COLORS)], label=f"{name} (AUC {metrics.auc(fpr, tpr):.3f})")
    ax.plot([0, 1], [0, 1], color="gray", ls=":", lw=1)
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC curve")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_confusion(y_true: Sequence[int], p_pred: Sequence[float], threshold: float = 0.5,
                   ax: plt.Axes | None = None, title: str = "confusion matrix") -> plt.Axes:
    """The confusion matrix as a labelled heatmap (rows: truth, columns: prediction)."""
    confusion = np.asarray(binary_report(y_true, p_pred, threshold)["confusion"])
    if ax is None:
        use_course_style()
        _, ax = plt.subplots(figsize=(3.6, 3.2))
    ax.imshow(confusion, cmap="Blues")
    for (i, j), count in np.ndenumerate(confusion):
        ax.text(j, i, f"{count:,}", ha="center", va="center",
                color="white" if count > confusion.max() / 2 else "black")
    ax.set(xticks=[0, 1], xticklabels=["negative", "positive"], yticks=[0, 1],
           yticklabels=["negative", "positive"], xlabel="predicted", ylabel="true", title=title)
    ax.grid(False)
    return ax


def most_confident_errors(texts: Sequence[str], y_true: Sequence[int], p_pred: Sequence[float],
                          k: int = 5) -> list[dict[str, Any]]:
    """The ``k`` wrong predictions the model was surest of: text, true label, probability of positive.

    >>> most_confident_errors(["good", "bad", "fine"], [1, 0, 1], [0.9, 0.8, 0.4], k=1)
    [{'index': 1, 'label': 0, 'p_positive': 0.8, 'text': 'bad'}]
    """
    y, p = _check(y_true, p_pred)
    if len(texts) != len(y):
        raise ValueError(f"{len(texts)} texts but {len(y)} labels")
    wrong = np.flatnonzero((p >= 0.5).astype(int) != y)
    confidence = np.abs(p[wrong] - 0.5)
    chosen = wrong[np.argsort(-confidence, kind="stable")[:k]]
    return [{"index": int(i), "label": int(y[i]), "p_positive": round(float(p[i]), 4), "text": texts[i]}
            for i in chosen]


def record_imdb(model: str, y_true: Sequence[int], p_pred: Sequence[float], *, notebook: str,
                train_labels: int, train_seconds: float | None, details: str = "") -> dict[str, Any]:
    """Judge a model on the whole IMDb test set and put its row on the IMDb table; returns the report.

    Only the full 25,000-review test set is accepted, so every row of the table
    is measured the same way. A notebook's first row in a run replaces all its
    older rows: the table holds the models of each notebook's latest run.
    """
    from .env import machine_info

    report = binary_report(y_true, p_pred)
    if report["n"] != 25_000:
        raise ValueError(f"the IMDb table holds scores on the whole test set (25,000 reviews); got {report['n']}. "
                         "Score a subset with binary_report instead.")
    machine = machine_info()
    run = (notebook, str(IMDB_TABLE.path()))
    if run not in _NOTEBOOKS_RECORDED:
        IMDB_TABLE.drop(notebook=notebook)
        _NOTEBOOKS_RECORDED.add(run)
    IMDB_TABLE.record({
        "model": model, "notebook": notebook,
        "test_accuracy": round(report["accuracy"], 4), "precision": round(report["precision"], 4),
        "recall": round(report["recall"], 4), "f1": round(report["f1"], 4), "roc_auc": round(report["roc_auc"], 4),
        "train_labels": int(train_labels),
        "train_seconds": None if train_seconds is None else round(float(train_seconds), 1),
        "details": details, "cpu": machine["cpu"], "matmul_gflops_fp32": machine["matmul_gflops_fp32"],
    })
    where = "results/" if IMDB_TABLE.path() == IMDB_TABLE.path("repo") else "your cache"
    print(f"recorded in {where}: {model}: test accuracy {report['accuracy']:.4f}, F1 {report['f1']:.4f}, "
          f"ROC-AUC {report['roc_auc']:.4f}")
    return report


def tfidf_logreg(C=4.0):
    """The bag-of-n-grams baseline, not yet fitted: TF-IDF of unigrams and bigrams, then logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.9, sublinear_tf=True)
    return make_pipeline(vectorizer, LogisticRegression(C=C, max_iter=2000))


def fit_tfidf_logreg(texts, labels, C=4.0):
    """The baseline of :func:`tfidf_logreg`, fitted to ``texts`` and their labels."""
    return tfidf_logreg(C).fit(texts, labels)


def tune_C(pipeline: Any, fit_texts: Sequence[str], fit_labels: Sequence[int], dev_texts: Sequence[str],
           dev_labels: Sequence[int], Cs: Sequence[float]) -> tuple[dict[float, float], Any]:
    """Dev accuracy of a text pipeline for each C of its last step, and the pipeline fitted with the best C.

    The features (every step but the last) are fitted once, on the fit texts; only the final linear
    model is refitted for each C. Larger C means weaker regularisation. Choose C on a dev split, never
    on the test set.

        >>> texts = ["good", "great fun", "bad", "awful mess"] * 5
        >>> scores, model = tune_C(tfidf_logreg(), texts, [1, 1, 0, 0] * 5, ["good fun", "a mess"], [1, 0], [1, 10])
        >>> scores, model.predict(["great", "awful"]).tolist()
        ({1.0: 1.0, 10.0: 1.0}, [1, 0])
    """
    if not Cs:
        raise ValueError("give at least one C to try, e.g. Cs=[1, 4, 16]")
    if len(fit_texts) != len(fit_labels) or len(dev_texts) != len(dev_labels):
        raise ValueError(f"texts and labels differ in length: fit {len(fit_texts)} vs {len(fit_labels)}, "
                         f"dev {len(dev_texts)} vs {len(dev_labels)}")
    features, model = pipeline[:-1], pipeline.steps[-1][1]
    X_fit = features.fit_transform(fit_texts, fit_labels)
    X_dev = features.transform(dev_texts)
    scores = {}
    for C in Cs:
        model.set_params(C=C).fit(X_fit, fit_labels)
        scores[float(C)] = float(metrics.accuracy_score(dev_labels, model.predict(X_dev)))
    best = max(scores, key=scores.get)
    if best != float(Cs[-1]):
        model.set_params(C=best).fit(X_fit, fit_labels)
    return scores, pipeline


def tune_tfidf_logreg(fit_texts: Sequence[str], fit_labels: Sequence[int], dev_texts: Sequence[str],
                      dev_labels: Sequence[int], Cs: Sequence[float]) -> dict[float, float]:
    """Dev accuracy of :func:`fit_tfidf_logreg` for each regularisation strength C (the TF-IDF fitted once).

    Larger C means weaker regularisation. Choose C on the dev split, never on the test set.
    """
    return tune_C(tfidf_logreg(), fit_texts, fit_labels, dev_texts, dev_labels, Cs)[0]


def nb_log_count_ratio(X, labels, alpha=1.0):
    """Naive Bayes log-count ratio of every feature: how much likelier it is in positive than in negative texts."""
    y = np.asarray(labels)
    p = alpha + np.asarray(X[y == 1].sum(axis=0)).ravel()   # smoothed feature counts over the positive texts
    q = alpha + np.asarray(X[y == 0].sum(axis=0)).ravel()
    return np.log(p / p.sum()) - np.log(q / q.sum())


class NaiveBayesScaler(TransformerMixin, BaseEstimator):
    """Scales each feature by its Naive Bayes log-count ratio, learned in ``fit`` (the NB of NBSVM)."""

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X, y):
        self.ratio_ = nb_log_count_ratio(X, y, self.alpha)
        return self

    def transform(self, X):
        return sparse.csr_matrix(X.multiply(self.ratio_))


def nbsvm(C=1.0, ngram_range=(1, 3)):
    """NBSVM (Wang & Manning, 2012), not yet fitted: binary n-grams scaled by NB ratios, then a linear model."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    vectorizer = CountVectorizer(ngram_range=ngram_range, binary=True, min_df=2, token_pattern=r"(?u)\b\w+\b|[!?]")
    return make_pipeline(vectorizer, NaiveBayesScaler(), LogisticRegression(C=C, solver="liblinear", dual=True,
                                                                             max_iter=1000))
