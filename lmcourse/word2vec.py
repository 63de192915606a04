"""Word2Vec: skip-gram with negative sampling (SGNS) in Keras, and one evaluation for any word vectors.

The training side: frequent-word subsampling (:func:`keep_probabilities`),
the noise distribution ∝ count^0.75 (:func:`noise_distribution`) and
word2vec's table to draw from it (:func:`noise_table`), skip-gram pairs cut
from a whole corpus at once with NumPy (:func:`skipgram_pairs`), batches with
their negatives as ``tf.data`` (:func:`sgns_dataset`), the loss
(:func:`sgns_loss`) and the model: two embedding tables and a dot product
(:func:`build_sgns_model`), trained with SGD whose rate decays linearly, as
word2vec's is (:func:`sgns_sgd`).
The evaluation side works on :class:`WordVectors` — a word list and a
matrix — so the same routines score the Keras model and gensim's:
:func:`evaluate_similarity` (WordSim-353, SimLex-999),
:func:`evaluate_analogies` (the Google analogy questions),
:func:`nearest_neighbours`, :func:`analogy`, :func:`write_projector_files`.
Lab 08 starts a classifier's ``Embedding`` from such vectors
(:func:`embedding_from_vectors`).

    >>> import numpy as np
    >>> wv = WordVectors(["king", "queen", "man", "woman"],
    ...                  np.array([[1.0, 1.0], [1.0, -1.0], [0.5, 1.0], [0.5, -1.0]]))
    >>> [word for word, _ in analogy(wv, "man", "king", "woman", k=1)]
    ['queen']
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

__all__ = [
    "WordVectors",
    "analogy",
    "build_sgns_model",
    "embedding_from_vectors",
    "evaluate_analogies",
    "evaluate_similarity",
    "keep_probabilities",
    "nearest_neighbours",
    "noise_distribution",
    "noise_table",
    "read_analogy_questions",
    "read_word_pairs",
    "sgns_dataset",
    "sgns_loss",
    "sgns_sgd",
    "skipgram_pairs",
    "subsample",
    "write_projector_files",
]


# Training data ----------------------------------------------------------------------

def _counts_array(counts: Sequence[int] | np.ndarray) -> np.ndarray:
    array = np.asarray(counts, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"counts must be a non-empty 1-D sequence of word counts, got shape {array.shape}")
    if (array < 0).any() or array.sum() <= 0:
        raise ValueError("counts must be non-negative with a positive total; did you pass ids instead of counts?")
    return array


def keep_probabilities(counts: Sequence[int] | np.ndarray, sample: float = 1e-3) -> np.ndarray:
    """The probability that subsampling keeps each occurrence of a word, as in word2vec's C code.

    With f = count / total and threshold t = ``sample``:
    P(keep) = min(1, (√(f/t) + 1) · t/f). (The paper writes P(drop) = 1 − √(t/f);
    the code's rule keeps more.) ``sample=0`` keeps everything.

    >>> keep_probabilities([1000, 10, 1], sample=1e-2).round(3).tolist()
    [0.111, 1.0, 1.0]
    """
    array = _counts_array(counts)
    if sample < 0:
        raise ValueError(f"sample must be >= 0 (0 turns subsampling off), got {sample}")
    if sample == 0:
        return np.ones_like(array)
    threshold = sample * array.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = (np.sqrt(array / threshold) + 1.0) * threshold / array
    return np.minimum(1.0, np.nan_to_num(keep, nan=1.0, posinf=1.0))


def noise_distribution(counts: Sequence[int] | np.ndarray, power: float = 0.75) -> np.ndarray:
    """The negative-sampling distribution P_n(w) ∝ count(w)^power (word2vec: power 0.75).

    >>> noise_distribution([16, 1], power=0.75).round(4).tolist()
    [0.8889, 0.1111]
    """
    weights = _counts_array(counts) ** power
    return weights / weights.sum()


def noise_table(noise: Sequence[float] | np.ndarray, size: int = 10_000_000) -> np.ndarray:
    """word2vec's unigram table: ``size`` slots of word ids, each word filling its probability's share.

    A uniform random slot is then a draw from ``noise``: one random integer and
    one look-up per negative, instead of a search through the cumulative
    probabilities. Slot i holds the word whose cumulative-probability interval
    contains the slot's midpoint (i + ½) / size, so a word of probability p gets
    p · size slots, give or take one (and a word of probability 0 none).

    >>> noise_table([0.5, 0.25, 0.25], size=8).tolist()
    [0, 0, 0, 0, 1, 1, 2, 2]
    """
    probs = np.asarray(noise, dtype=np.float64)
    if probs.ndim != 1 or probs.size == 0 or (probs < 0).any() or not math.isclose(probs.sum(), 1.0, rel_tol=1e-6):
        raise ValueError("noise must be a probability vector over the vocabulary (non-negative, summing to 1)")
    if size < 1:
        raise ValueError(f"size must be at least 1 slot, got {size}")
    cdf = np.cumsum(probs)
    midpoints = (np.arange(size) + 0.5) / size * cdf[-1]
    return np.minimum(np.searchsorted(cdf, midpoints, side="right"), len(probs) - 1).astype(np.int32)


def subsample(ids: np.ndarray, keep_prob: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A boolean mask: keep each token id with its word's probability (one draw per occurrence).

    >>> subsample(np.array([0, 1, 0]), np.array([0.0, 1.0]), np.random.default_rng(0)).tolist()
    [False, True, False]
    """
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= len(keep_prob)):
        raise ValueError(f"ids must lie in 0..{len(keep_prob) - 1} (one keep probability per word)")
    return rng.random(ids.shape) < np.asarray(keep_prob)[ids]


def skipgram_pairs(
    ids: np.ndarray,
    doc_ids: np.ndarray,
    window: int,
    rng: np.random.Generator,
    *,
    keep_prob: np.ndarray | None = None,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """All (center, context) pairs of one epoch, vectorized over the whole corpus.

    ``ids`` is the corpus as one array of word ids and ``doc_ids`` says which
    document each token belongs to (pairs never cross documents). As in word2vec:
    tokens are first subsampled with ``keep_prob`` (if given), then each center
    draws its own window size b uniformly in 1..``window`` and pairs with the
    words up to b positions before and after it. One NumPy pass per distance
    d = 1..window, no Python loop over tokens.

    >>> c, x = skipgram_pairs(np.array([5, 6, 7]), np.zeros(3, int), 1, np.random.default_rng(0),
    ...                       shuffle=False)
    >>> sorted(zip(c.tolist(), x.tolist()))
    [(5, 6), (6, 5), (6, 7), (7, 6)]
    """
    ids, doc_ids = np.asarray(ids), np.asarray(doc_ids)
    if ids.ndim != 1 or ids.shape != doc_ids.shape:
        raise ValueError(f"ids and doc_ids must be 1-D and the same length, got {ids.shape} and {doc_ids.shape}")
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    if keep_prob is not None:
        kept = subsample(ids, keep_prob, rng)
        ids, doc_ids = ids[kept], doc_ids[kept]
    reach = rng.integers(1, window + 1, size=ids.shape)  # each center's own window size
    centers, contexts = [], []
    for d in range(1, window + 1):
        if d >= len(ids):
            break
        same_doc = doc_ids[d:] == doc_ids[:-d]
        forward = same_doc & (reach[:-d] >= d)  # center i, context i + d
        centers.append(ids[:-d][forward])
        contexts.append(ids[d:][forward])
        backward = same_doc & (reach[d:] >= d)  # center i + d, context i
        centers.append(ids[d:][backward])
        contexts.append(ids[:-d][backward])
    if not centers:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    center = np.concatenate(centers).astype(np.int32)
    context = np.concatenate(contexts).astype(np.int32)
    if shuffle:
        order = rng.permutation(len(center))
        center, context = center[order], context[order]
    return center, context


def sgns_dataset(
    centers: np.ndarray,
    contexts: np.ndarray,
    table: np.ndarray,
    *,
    negatives: int,
    batch_size: int,
    seed: int = 0,
) -> tf.data.Dataset:
    """Batches ``((center, [context, negative_1..K]), labels)`` for :func:`build_sgns_model`.

    Pairs are cut into full batches of ``batch_size`` in the order given (the
    remainder is dropped, so shapes are static); each batch draws its K
    negatives per pair inside the pipeline, as uniform random slots of
    ``table`` (a :func:`noise_table`), seeded by batch number: the same seed
    gives the same negatives. Labels are 1 for the context column and 0 for
    the negatives.

    >>> ds = sgns_dataset(np.arange(8), np.arange(8), noise_table([0.5, 0.5], 10), negatives=2, batch_size=4)
    >>> [tuple(t.shape) for t in next(iter(ds))[0]], tuple(next(iter(ds))[1].shape)
    ([(4,), (4, 3)], (4, 3))
    """
    centers = np.asarray(centers, dtype=np.int32)
    contexts = np.asarray(contexts, dtype=np.int32)
    if centers.shape != contexts.shape or centers.ndim != 1:
        raise ValueError(f"centers and contexts must be 1-D and the same length, got {centers.shape}, {contexts.shape}")
    if negatives < 1:
        raise ValueError(f"negatives must be at least 1, got {negatives}")
    steps = len(centers) // batch_size if batch_size >= 1 else 0
    if steps < 1:
        raise ValueError(f"{len(centers)} pairs make no full batch of {batch_size}; use a smaller batch_size")
    table = np.asarray(table)
    if table.ndim != 1 or table.size == 0 or not np.issubdtype(table.dtype, np.integer) or table.min() < 0:
        raise ValueError("table must be a 1-D array of word ids, as noise_table returns (not the probabilities)")
    slots = tf.constant(table, dtype=tf.int32)
    labels = tf.constant(np.eye(1, negatives + 1, dtype=np.float32).repeat(batch_size, axis=0))
    batches = tf.data.Dataset.from_tensor_slices((
        centers[: steps * batch_size].reshape(steps, batch_size),
        contexts[: steps * batch_size].reshape(steps, batch_size),
    ))

    def add_negatives(step: tf.Tensor, batch: tuple[tf.Tensor, tf.Tensor]):
        center, context = batch
        slot = tf.random.stateless_uniform((batch_size, negatives), seed=tf.stack([seed, tf.cast(step, tf.int32)]),
                                           minval=0, maxval=len(table), dtype=tf.int32)
        targets = tf.concat([context[:, None], tf.gather(slots, slot)], axis=1)
        return (center, targets), labels

    return (batches.enumerate().map(add_negatives, num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE))


# The model --------------------------------------------------------------------------

@keras.saving.register_keras_serializable(package="lmcourse")
def sgns_loss(labels: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
    """Negative-sampling loss of each pair: −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c).

    Binary cross-entropy on each score, *summed* over the context and its K
    negatives (not averaged), as in the skip-gram objective.

    >>> round(float(sgns_loss(np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]))[0]), 6)  # 2·log 2
    1.386294
    """
    return keras.ops.sum(keras.ops.binary_crossentropy(labels, logits, from_logits=True), axis=-1)


def build_sgns_model(vocab_size: int, dim: int, negatives: int, *, name: str = "sgns") -> keras.Model:
    """Skip-gram with negative sampling as a Keras model: two embedding tables and a dot product.

    Inputs: ``center`` ids, shape (batch,), and ``targets`` (batch, 1 + K): the
    context id then K negative ids. Output: the scores u_t · v_c, shape
    (batch, 1 + K). ``center_embedding`` holds the word vectors v (initialised
    uniform in ±0.5/dim as in word2vec); ``context_embedding`` holds the output
    vectors u (initialised to zero).

    >>> model = build_sgns_model(50, 8, negatives=3)
    >>> tuple(model([np.zeros(2, "int32"), np.zeros((2, 4), "int32")]).shape)
    (2, 4)
    """
    if vocab_size < 2 or dim < 1 or negatives < 1:
        raise ValueError(f"need vocab_size >= 2, dim >= 1, negatives >= 1; got {vocab_size}, {dim}, {negatives}")
    center = keras.Input(shape=(), dtype="int32", name="center")
    targets = keras.Input(shape=(1 + negatives,), dtype="int32", name="targets")
    v = keras.layers.Embedding(
        vocab_size, dim, name="center_embedding",
        embeddings_initializer=keras.initializers.RandomUniform(-0.5 / dim, 0.5 / dim),
    )(center)
    u = keras.layers.Embedding(vocab_size, dim, name="context_embedding", embeddings_initializer="zeros")(targets)
    scores = keras.layers.Dot(axes=(2, 1), name="scores")([u, v])
    return keras.Model([center, targets], scores, name=name)


def sgns_sgd(
    learning_rate: float, batch_size: int, total_steps: int, min_learning_rate: float = 1e-4
) -> keras.optimizers.SGD:
    """Plain SGD for :func:`build_sgns_model`, its rate falling linearly per step as word2vec's does.

    ``learning_rate`` and ``min_learning_rate`` are word2vec's rates *per
    pair* (its defaults: 0.025 falling to 0.0001). Keras averages the loss
    over the batch, so the step applies ``batch_size`` times them to the mean
    gradient: the same step as adding up each pair's. SGD moves only the
    embedding rows a batch looks up (the gradient of a look-up is a sparse
    ``IndexedSlices``, applied with a scatter), where Keras' Adam rewrites the
    whole of both tables, and its moments, at every step.

    >>> opt = sgns_sgd(0.025, batch_size=100, total_steps=10)
    >>> round(float(opt.learning_rate), 6)  # 0.025 per pair × 100 pairs, before the first step
    2.5
    """
    if learning_rate <= 0 or min_learning_rate < 0 or min_learning_rate > learning_rate:
        raise ValueError(f"need 0 <= min_learning_rate <= learning_rate and learning_rate > 0; "
                         f"got {learning_rate}, {min_learning_rate}")
    if batch_size < 1 or total_steps < 1:
        raise ValueError(f"batch_size and total_steps must be at least 1, got {batch_size}, {total_steps}")
    schedule = keras.optimizers.schedules.PolynomialDecay(
        learning_rate * batch_size, decay_steps=total_steps, end_learning_rate=min_learning_rate * batch_size)
    return keras.optimizers.SGD(schedule)


# Word vectors and their evaluation ----------------------------------------------------

@dataclass
class WordVectors:
    """Word vectors from any model: ``words[i]`` has the vector ``matrix[i]``.

    Words should come most frequent first (the analogy test searches the
    first ``restrict`` words). ``index`` maps a word to its row.

    >>> wv = WordVectors(["a", "b"], np.eye(2))
    >>> wv["b"].tolist(), "c" in wv, len(wv)
    ([0.0, 1.0], False, 2)
    """

    words: list[str]
    matrix: np.ndarray
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.words = list(self.words)
        self.matrix = np.asarray(self.matrix, dtype=np.float32)
        if self.matrix.ndim != 2 or self.matrix.shape[0] != len(self.words):
            raise ValueError(f"matrix must have one row per word: {len(self.words)} words, "
                             f"matrix shape {self.matrix.shape}")
        self.index = {w: i for i, w in enumerate(self.words)}
        if len(self.index) != len(self.words):
            raise ValueError("words must be unique")

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def __getitem__(self, word: str) -> np.ndarray:
        if word not in self.index:
            raise KeyError(f"{word!r} is not in the vocabulary ({len(self)} words); "
                           "check the spelling and case, or lower min_count")
        return self.matrix[self.index[word]]

    def unit(self) -> np.ndarray:
        """The matrix with every row scaled to length 1 (zero rows stay zero)."""
        norms = np.linalg.norm(self.matrix, axis=1, keepdims=True)
        return self.matrix / np.maximum(norms, 1e-12)


def nearest_neighbours(wv: WordVectors, word: str, k: int = 10) -> list[tuple[str, float]]:
    """The ``k`` words with the highest cosine similarity to ``word`` (itself excluded).

    >>> wv = WordVectors(["a", "b", "c"], np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]))
    >>> [w for w, _ in nearest_neighbours(wv, "a", k=2)]
    ['b', 'c']
    """
    wv[word]  # a clear KeyError for an unknown word
    unit = wv.unit()
    sims = unit @ unit[wv.index[word]]
    sims[wv.index[word]] = -np.inf
    top = np.argsort(-sims)[:k]
    return [(wv.words[i], float(sims[i])) for i in top]


def analogy(wv: WordVectors, a: str, b: str, c: str, k: int = 5) -> list[tuple[str, float]]:
    """a is to b as c is to ?: the words closest (cosine) to b − a + c, question words excluded (3CosAdd).

    >>> wv = WordVectors(["x", "y", "z", "w"], np.array([[1.0, 0], [1, 1], [0, 1.0], [-0.2, 2]]))
    >>> analogy(wv, "x", "y", "z", k=1)[0][0]
    'w'
    """
    unit = wv.unit()
    for word in (a, b, c):
        wv[word]  # a clear KeyError for an unknown word
    target = unit[wv.index[b]] - unit[wv.index[a]] + unit[wv.index[c]]
    sims = unit @ (target / max(float(np.linalg.norm(target)), 1e-12))
    for word in (a, b, c):
        sims[wv.index[word]] = -np.inf
    top = np.argsort(-sims)[:k]
    return [(wv.words[i], float(sims[i])) for i in top]


def read_word_pairs(path: str | os.PathLike[str]) -> list[tuple[str, str, float]]:
    """Word pairs with a human score from a tab-separated file (``#`` lines are comments).

    The format of gensim's ``wordsim353.tsv`` and ``simlex999.txt``.
    """
    pairs = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3:
                raise ValueError(f"{path}:{number}: expected 'word1<TAB>word2<TAB>score', got {line!r}")
            pairs.append((parts[0], parts[1], float(parts[2])))
    if not pairs:
        raise ValueError(f"{path} holds no word pairs")
    return pairs


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    from scipy.stats import spearmanr  # scipy comes with scikit-learn and gensim

    return float(spearmanr(x, y).statistic)


def evaluate_similarity(wv: WordVectors, pairs: Sequence[tuple[str, str, float]]) -> dict[str, float]:
    """Spearman correlation between cosine similarities and human scores, and the OOV share.

    Words are lowercased; a pair with a word outside the vocabulary is left
    out (and counted in ``oov_share``), as gensim's ``evaluate_word_pairs`` does.

    >>> wv = WordVectors(["a", "b", "c"], np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]]))
    >>> evaluate_similarity(wv, [("a", "b", 9.0), ("a", "c", 1.0), ("b", "c", 5.0), ("a", "z", 3.0)])
    {'spearman': 1.0, 'oov_share': 0.25, 'pairs_used': 3}
    """
    if not pairs:
        raise ValueError("no word pairs to evaluate on")
    unit = wv.unit()
    model_scores, human_scores = [], []
    for w1, w2, score in pairs:
        w1, w2 = w1.lower(), w2.lower()
        if w1 in wv and w2 in wv:
            model_scores.append(float(unit[wv.index[w1]] @ unit[wv.index[w2]]))
            human_scores.append(score)
    used = len(model_scores)
    spearman = _spearman(np.array(model_scores), np.array(human_scores)) if used >= 2 else float("nan")
    return {"spearman": spearman, "oov_share": 1 - used / len(pairs), "pairs_used": used}


def read_analogy_questions(path: str | os.PathLike[str]) -> list[tuple[str, str, str, str, str]]:
    """Analogy questions ``(section, a, b, c, expected)`` from a ``questions-words.txt`` file."""
    questions, section = [], ""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith(":"):
                section = line[1:].strip()
                continue
            words = line.split()
            if not words:
                continue
            if len(words) != 4:
                raise ValueError(f"{path}:{number}: an analogy question has 4 words, got {line!r}")
            a, b, c, d = (w.lower() for w in words)
            questions.append((section, a, b, c, d))
    if not questions:
        raise ValueError(f"{path} holds no analogy questions")
    return questions


def evaluate_analogies(
    wv: WordVectors,
    questions: Sequence[tuple[str, str, str, str, str]],
    *,
    restrict: int = 30_000,
    chunk: int = 2_048,
) -> dict[str, float]:
    """Accuracy on analogy questions a:b :: c:d by 3CosAdd over the ``restrict`` most frequent words.

    A question counts only if its four words are among those words
    (``in_vocab`` says how many did); the answer is the word closest to
    b − a + c, the three question words excluded. Semantic and syntactic
    accuracies split the Google set (sections starting ``gram`` are syntactic),
    with how many questions of each kind were in vocabulary.

    >>> wv = WordVectors(["x", "y", "z", "w"], np.array([[1.0, 0], [1, 1], [0, 1.0], [-0.2, 2]]))
    >>> evaluate_analogies(wv, [("s", "x", "y", "z", "w"), ("s", "x", "y", "q", "w")])["accuracy"]
    1.0
    """
    if not questions:
        raise ValueError("no analogy questions to evaluate on")
    if restrict < 4:
        raise ValueError(f"restrict must be at least 4 words, got {restrict}")
    unit = wv.unit()[:restrict]
    index = {w: i for w, i in wv.index.items() if i < restrict}
    kept = [(s, *(index[w] for w in q)) for s, *q in questions if all(w in index for w in q)]
    correct = np.zeros(len(kept), dtype=bool)
    for start in range(0, len(kept), chunk):
        block = np.array([q[1:] for q in kept[start:start + chunk]], dtype=np.int64)
        target = unit[block[:, 1]] - unit[block[:, 0]] + unit[block[:, 2]]
        sims = target @ unit.T
        rows = np.arange(len(block))[:, None]
        sims[rows, block[:, :3]] = -np.inf
        correct[start:start + len(block)] = sims.argmax(axis=1) == block[:, 3]
    syntactic = np.array([s.startswith("gram") for s, *_ in kept], dtype=bool)

    def share(mask: np.ndarray) -> float:
        return float(correct[mask].mean()) if mask.any() else float("nan")

    return {
        "accuracy": share(np.ones(len(kept), dtype=bool)),
        "semantic": share(~syntactic),
        "syntactic": share(syntactic),
        "in_vocab": len(kept),
        "questions": len(questions),
        "semantic_in_vocab": int((~syntactic).sum()),
        "syntactic_in_vocab": int(syntactic.sum()),
    }


def write_projector_files(
    wv: WordVectors, folder: str | os.PathLike[str], *, limit: int | None = None
) -> tuple[Path, Path]:
    """Write ``vectors.tsv`` and ``metadata.tsv`` for the Embedding Projector (projector.tensorflow.org).

    One row per word (the first ``limit`` words if given); load them there
    with *Load* → choose ``vectors.tsv`` in step 1 and ``metadata.tsv`` in step 2.

    >>> import tempfile
    >>> vectors, meta = write_projector_files(WordVectors(["a"], [[1.0, 2.0]]), tempfile.mkdtemp())
    >>> vectors.read_text(), meta.read_text()
    ('1\\t2\\n', 'a\\n')
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    count = len(wv) if limit is None else min(limit, len(wv))
    vectors_path, metadata_path = folder / "vectors.tsv", folder / "metadata.tsv"
    with open(vectors_path, "w", encoding="utf-8") as vectors, open(metadata_path, "w", encoding="utf-8") as meta:
        for i in range(count):
            vectors.write("\t".join(f"{x:.6g}" for x in wv.matrix[i]) + "\n")
            meta.write(wv.words[i].replace("\t", " ") + "\n")
    return vectors_path, metadata_path


def embedding_from_vectors(vocabulary: Sequence[str], wv: WordVectors, scale: float = 0.15,
                           rows: int | None = None, seed: int = 0) -> np.ndarray:
    """A starting matrix for an ``Embedding`` layer: row i is the vector of ``vocabulary[i]``, rescaled.

    The vectors are divided by the standard deviation of all of ``wv``'s entries and
    multiplied by ``scale``: Word2Vec's entries are many times larger than those of a
    fresh ``Embedding`` (uniform in ±0.05), and a start that large would dominate the
    first updates. Words without a vector (the padding and ``[UNK]`` rows of a
    ``TextVectorization`` vocabulary, words too rare for the word-vector model) start as
    Keras would start them: uniform in ±0.05. ``rows`` (default: one per word) sizes the
    matrix for an ``Embedding`` built with more rows than the vocabulary has words
    (``max_tokens`` larger than the adapted text's vocabulary); the extra rows start at random.

    >>> wv = WordVectors(["good", "bad"], [[2.0, 0.0], [0.0, -2.0]])
    >>> matrix = embedding_from_vectors(["", "[UNK]", "good", "bad"], wv, scale=1.0)
    >>> matrix.shape, np.round(matrix[2:].astype(float), 3).tolist()
    ((4, 2), [[1.414, 0.0], [0.0, -1.414]])
    """
    if len(vocabulary) == 0:
        raise ValueError("the vocabulary is empty: pass the layer's get_vocabulary() after adapt()")
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    size = len(vocabulary) if rows is None else rows
    if size < len(vocabulary):
        raise ValueError(f"rows ({size}) must be at least the vocabulary's {len(vocabulary)} words")
    found = [(i, wv.index[word]) for i, word in enumerate(vocabulary) if word in wv]
    if not found:
        raise ValueError("no word of the vocabulary has a vector: were both built from text standardised the "
                         "same way (lower case, punctuation stripped)?")
    matrix = np.random.default_rng(seed).uniform(-0.05, 0.05, (size, wv.matrix.shape[1]))
    mine, theirs = np.array(found).T
    matrix[mine] = wv.matrix[theirs] / max(float(wv.matrix.std()), 1e-12) * scale
    return matrix.astype(np.float32)
