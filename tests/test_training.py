"""Wall-clock budgets, validation tracking and whole-dataset evaluation."""

from __future__ import annotations

import math
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from lmcourse.training import TimeBudget, ValidationTracker, evaluate_nats


def _tiny_lm(vocab: int = 5) -> keras.Model:
    model = keras.Sequential([keras.Input((4,), dtype="int32"), keras.layers.Embedding(vocab, 3),
                              keras.layers.Dense(vocab)])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def _data(n: int = 64) -> tf.data.Dataset:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, size=(n, 4)).astype("int32")
    return tf.data.Dataset.from_tensor_slices((x, (x + 1) % 5)).batch(8)


class _Slow(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        time.sleep(0.02)


def test_time_budget_stops_training():
    model, budget = _tiny_lm(), TimeBudget(0.3)
    model.fit(_data().repeat(), steps_per_epoch=10, epochs=1000, verbose=0, callbacks=[_Slow(), budget])
    assert budget.elapsed >= 0.3
    assert 0 < budget.steps < 10_000
    assert budget.elapsed < 10


def test_time_budget_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        TimeBudget(0)


def test_validation_tracker_records_every_n_steps_and_at_the_end():
    model = _tiny_lm()
    tracker = ValidationTracker(_data(16), every=3)
    model.fit(_data(80), epochs=1, verbose=0, callbacks=[tracker])  # 10 steps
    assert tracker.steps == [3, 6, 9, 10]
    assert len(tracker.seconds) == len(tracker.val_loss) == 4
    assert tracker.seconds == sorted(tracker.seconds)
    assert all(math.isfinite(v) for v in tracker.val_loss)


def test_validation_tracker_every_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        ValidationTracker(_data(), every=0)


def test_evaluate_nats_matches_keras_evaluate():
    model = _tiny_lm()
    model.fit(_data(), epochs=2, verbose=0)
    ours = evaluate_nats(model, _data())
    theirs = model.evaluate(_data(), verbose=0)
    assert ours == pytest.approx(theirs, rel=1e-5)


def test_evaluate_nats_weights_every_token_equally_with_a_short_last_batch():
    model = _tiny_lm()
    x = np.random.default_rng(1).integers(0, 5, size=(10, 4)).astype("int32")
    y = (x + 2) % 5
    full = evaluate_nats(model, tf.data.Dataset.from_tensor_slices((x, y)).batch(10))
    uneven = evaluate_nats(model, tf.data.Dataset.from_tensor_slices((x, y)).batch(3))
    assert full == pytest.approx(uneven, rel=1e-6)


def test_evaluate_nats_of_an_empty_dataset_is_an_error():
    empty = tf.data.Dataset.from_tensor_slices((np.zeros((0, 4), "int32"), np.zeros((0, 4), "int32"))).batch(2)
    with pytest.raises(ValueError, match="empty"):
        evaluate_nats(_tiny_lm(), empty)


class _SlowEval(ValidationTracker):
    """A tracker whose evaluations each take at least 0.2 s more."""

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        evaluate = self.model.evaluate

        def slow_evaluate(*args, **kwargs):
            time.sleep(0.2)
            return evaluate(*args, **kwargs)

        self.model.evaluate = slow_evaluate


def test_time_budget_can_leave_evaluation_time_out():
    model = _tiny_lm()
    tracker = _SlowEval(_data(8), every=5)
    budget = TimeBudget(0.3, exclude=tracker)
    start = time.perf_counter()
    model.fit(_data().repeat(), steps_per_epoch=10, epochs=1000, verbose=0,
              callbacks=[_Slow(), tracker, budget])  # ≥ 0.02 s a step: about 15 steps, 3 evaluations
    wall = time.perf_counter() - start
    assert tracker.eval_seconds >= 0.2  # at least one (slow) evaluation happened...
    assert wall > budget.elapsed + tracker.eval_seconds * 0.9  # ...and the budget did not count it
    assert 0.3 <= budget.elapsed < 5


def test_time_budget_stops_at_max_steps_mid_epoch():
    model = _tiny_lm()
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    budget = TimeBudget(seconds=600, max_steps=7)
    model.fit(_data().repeat(), steps_per_epoch=5, epochs=10, verbose=0, callbacks=[budget])
    assert budget.steps == 7
    with pytest.raises(ValueError, match="max_steps"):
        TimeBudget(seconds=1, max_steps=0)
