"""Training helpers: wall-clock budgets and validation curves recorded as training goes.

A trained model is scored by the course's single scorer, :func:`lmcourse.metrics.score_text`.

    >>> budget = TimeBudget(seconds=60)
    >>> budget.seconds
    60
"""

from __future__ import annotations

import time

import keras
import tensorflow as tf

__all__ = ["TimeBudget", "ValidationTracker"]


class TimeBudget(keras.callbacks.Callback):
    """Stop training once ``seconds`` of wall-clock time have passed, or after ``max_steps`` steps.

    Use it to compare models at an equal time budget, or to keep a notebook
    inside its run time whatever the machine. The clock starts after the
    first step, which also traces and compiles the training graph (a few
    seconds that depend on the model, not on how fast it trains). With
    ``exclude=tracker``, the time a :class:`ValidationTracker` spends
    evaluating does not count either, so models are compared on training time.
    ``max_steps`` stops at an exact step count whatever the epoch size (a
    learning-rate schedule planned for that many steps then ends where planned).
    Both are checked after every batch.
    """

    def __init__(self, seconds: float, exclude: ValidationTracker | None = None, max_steps: int | None = None):
        super().__init__()
        if seconds <= 0:
            raise ValueError(f"seconds must be positive, got {seconds}")
        if max_steps is not None and (isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1):
            raise ValueError(f"max_steps must be a positive integer or None, got {max_steps!r}")
        self.seconds = seconds
        self.max_steps = max_steps
        self.exclude = exclude  # a tracker whose evaluation time does not count
        self.start: float | None = None
        self.elapsed = 0.0
        self.steps = 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.start = None
        self.steps = 0
        self.elapsed = 0.0

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.steps += 1
        if self.max_steps is not None and self.steps >= self.max_steps:
            self.model.stop_training = True
        if self.start is None:  # the first step (graph tracing) is not timed
            self.start = time.perf_counter()
            return
        self.elapsed = time.perf_counter() - self.start
        if self.exclude is not None:
            self.elapsed -= self.exclude.eval_seconds
        if self.elapsed >= self.seconds:
            self.model.stop_training = True


class ValidationTracker(keras.callbacks.Callback):
    """Evaluate on a validation set every ``every`` training steps; record steps, seconds and loss.

    Training time excludes the time spent evaluating and the first step
    (graph tracing), so curves against seconds compare models fairly. Results: ``self.steps``, ``self.seconds``,
    ``self.val_loss`` (lists of the same length). The training loss that ``fit`` logs is left as it
    would be without the tracker.
    """

    def __init__(self, validation_data: tf.data.Dataset, every: int):
        super().__init__()
        if every < 1:
            raise ValueError(f"every must be at least 1, got {every}")
        self.validation_data = validation_data
        self.every = every
        self.steps: list[int] = []
        self.seconds: list[float] = []
        self.val_loss: list[float] = []
        self.eval_seconds = 0.0  # total time spent evaluating
        self._step = 0
        self._train_time = 0.0
        self._mark: float | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._mark = None

    def _record(self) -> None:
        if self._mark is not None:
            self._train_time += time.perf_counter() - self._mark
        started = time.perf_counter()
        # evaluate() resets and refills the model's metrics, the running training loss among them; keep
        # them as they were, so that the training loss fit() logs is not overwritten by this validation loss
        kept = [(v, v.numpy()) for metric in self.model.metrics for v in metric.variables]
        loss = self.model.evaluate(self.validation_data, verbose=0, return_dict=True)["loss"]
        for variable, value in kept:
            variable.assign(value)
        self.eval_seconds += time.perf_counter() - started
        self.steps.append(self._step)
        self.seconds.append(self._train_time)
        self.val_loss.append(float(loss))
        self._mark = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._step += 1
        if self._mark is None:  # the clock starts after the first step (graph tracing)
            self._mark = time.perf_counter()
        if self._step % self.every == 0:
            self._record()

    def on_train_end(self, logs: dict | None = None) -> None:
        if not self.steps or self.steps[-1] != self._step:
            self._record()
