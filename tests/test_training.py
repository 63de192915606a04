"""Wall-clock budgets and validation tracking."""

from __future__ import annotations

import math
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from lmcourse.training import TimeBudget, ValidationTracker


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
    model.fit(_data().repeat(), steps_per_epoch=10, epochs=1000, verbose=0, shuffle=False, callbacks=[_Slow(), budget])
    assert budget.elapsed >= 0.3
    assert 0 < budget.steps < 10_000
    assert budget.elapsed < 10


def test_time_budget_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        TimeBudget(0)


def test_validation_tracker_records_every_n_steps_and_at_the_end():
    model = _tiny_lm()
    tracker = ValidationTracker(_data(16), every=3)
    model.fit(_data(80), epochs=1, verbose=0, shuffle=False, callbacks=[tracker])  # 10 steps
    assert tracker.steps == [3, 6, 9, 10]
    assert len(tracker.seconds) == len(tracker.val_loss) == 4
    assert tracker.seconds == sorted(tracker.seconds)
    assert all(math.isfinite(v) for v in tracker.val_loss)


def test_validation_tracker_every_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        ValidationTracker(_data(), every=0)


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
    model.fit(_data().repeat(), steps_per_epoch=10, epochs=1000, verbose=0, shuffle=False,
              callbacks=[_Slow(), tracker, budget])  # ≥ 0.02 s a step: about 15 steps, 3 evaluations
    wall = time.perf_counter() - start
    assert tracker.eval_seconds >= 0.2  # at least one (slow) evaluation happened...
    assert wall > budget.elapsed + tracker.eval_seconds * 0.9  # ...and the budget did not count it
    assert 0.3 <= budget.elapsed < 5


def test_time_budget_stops_at_max_steps_mid_epoch():
    model = _tiny_lm()
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    budget = TimeBudget(seconds=600, max_steps=7)
    model.fit(_data().repeat(), steps_per_epoch=5, epochs=10, verbose=0, shuffle=False, callbacks=[budget])
    assert budget.steps == 7
    with pytest.raises(ValueError, match="max_steps"):
        TimeBudget(seconds=1, max_steps=0)


def test_validation_tracker_leaves_the_logged_training_loss_alone():
    # evaluating inside fit() must not replace the training loss fit() logs by the validation loss
    far = tf.data.Dataset.from_tensor_slices((np.zeros((16, 4), "int32"), np.full((16, 4), 4))).batch(8)
    losses = []
    for callbacks in ([], [ValidationTracker(far, every=4)]):
        keras.utils.set_random_seed(0)
        model = _tiny_lm()
        model.compile(optimizer=keras.optimizers.SGD(0.0), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        history = model.fit(_data(64), epochs=2, verbose=0, shuffle=False, callbacks=callbacks)  # 8 steps an epoch
        losses.append(history.history["loss"])
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-6)
