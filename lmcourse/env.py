"""The environment: seeds, a report of what this run has, and the accelerator strategy.

    >>> from lmcourse.env import seed_everything
    >>> seed_everything(0)
    0
"""

from __future__ import annotations

import functools
import glob
import logging
import os
import platform
import random
import sys
import time
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from .data import short_path
from .profile import get_profile

__all__ = [
    "accelerator",
    "cpu_features",
    "cpu_model",
    "environment_report",
    "get_strategy",
    "machine_info",
    "matmul_peak_gflops",
    "seed_everything",
    "setup",
    "short_path",
]


def seed_everything(seed: int = 42, *, deterministic: bool = False) -> int:
    """Seed Python's ``random``, NumPy and Keras/TensorFlow from one number.

    ``deterministic=True`` also asks TensorFlow for deterministic kernels
    (slower; identical results run to run on the same machine).

    >>> seed_everything(7)
    7
    >>> a = np.random.rand(); seed_everything(7); a == np.random.rand()
    7
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)  # for subprocesses started from here
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # Python, NumPy and the backend together
    _reset_keras_seed_generator()
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return seed


def _reset_keras_seed_generator() -> None:
    """Make unseeded ``keras.random`` draws restart from the new seed.

    Newer Keras resets its global seed generator in ``set_random_seed``;
    Keras 3.12 (the newest for Python 3.10) does not, so we do it here.
    """
    try:
        from keras.src.backend.common import global_state
    except ImportError:  # a Keras without this module resets it itself
        return
    global_state.set_global_attribute("global_seed_generator", None)


def _tpu_address() -> str | None:
    """Where a TPU is, if this runtime has one; None otherwise (never touches the network)."""
    if os.environ.get("COLAB_TPU_ADDR"):
        return "grpc://" + os.environ["COLAB_TPU_ADDR"]
    if os.environ.get("TPU_NAME"):
        return os.environ["TPU_NAME"]
    if glob.glob("/dev/accel*") or glob.glob("/dev/vfio/[0-9]*"):
        return "local"  # a TPU VM (Colab's and Kaggle's current TPU runtimes)
    return None


def accelerator() -> str:
    """``"TPU"``, ``"GPU"`` or ``"CPU"``: the kind of device this run will train on.

    >>> accelerator() in {"TPU", "GPU", "CPU"}
    True
    """
    if _tpu_address() is not None:
        return "TPU"
    if tf.config.list_physical_devices("GPU"):
        return "GPU"
    return "CPU"


def get_strategy(verbose: bool = True) -> tf.distribute.Strategy:
    """The right ``tf.distribute`` strategy for this machine.

    A TPU runtime gets ``TPUStrategy``; two or more GPUs get ``MirroredStrategy``
    over all of them; one GPU or a CPU gets the default strategy (which already
    places work on the single GPU). Build and compile models inside
    ``with strategy.scope():`` so the same code runs everywhere.

    >>> strategy = get_strategy(verbose=False)
    >>> strategy.num_replicas_in_sync >= 1
    True
    """
    address = _tpu_address()
    if address is not None:
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=address)
            if address != "local":
                tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
            strategy: tf.distribute.Strategy = tf.distribute.TPUStrategy(resolver)
        except (ValueError, RuntimeError, tf.errors.OpError) as error:
            raise RuntimeError(
                f"This runtime looks like a TPU runtime ({address}) but the TPU could not be "
                f"initialised: {error}. Restart the runtime, or switch Colab to a CPU/GPU "
                "runtime (Runtime > Change runtime type)."
            ) from error
        name = "TPUStrategy"
    else:
        gpus = tf.config.list_physical_devices("GPU")
        if len(gpus) > 1:
            strategy = tf.distribute.MirroredStrategy()
            name = "MirroredStrategy"
        else:
            strategy = tf.distribute.get_strategy()
            name = "default strategy"
    if verbose:
        print(f"strategy: {name}, {strategy.num_replicas_in_sync} replica(s) in sync")
    return strategy


def cpu_model() -> str:
    """The processor's model name, as the operating system reports it (e.g. ``"AMD EPYC 9R14"``).

    Read from ``/proc/cpuinfo`` on Linux, ``sysctl`` on macOS, ``platform.processor()``
    elsewhere; ``"unknown"`` when none of them says.

    >>> isinstance(cpu_model(), str) and cpu_model() != ""
    True
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return " ".join(line.split(":", 1)[1].split()) or "unknown"
    except OSError:
        pass
    if sys.platform == "darwin":
        import subprocess

        try:
            out = subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True,
                                 text=True, timeout=5).stdout.strip()
            if out:
                return out
        except (OSError, subprocess.SubprocessError):
            pass
    return platform.processor() or platform.machine() or "unknown"


_SIMD_FLAGS = ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile", "amx_bf16", "neon", "asimd")


def cpu_features() -> list[str]:
    """The CPU's vector and matrix instruction sets that decide training speed (Linux; else ``[]``).

    ``avx512_bf16`` computes bfloat16 dot products in vector registers; ``amx_bf16``
    (Intel Sapphire Rapids and later) has matrix tiles that make bfloat16
    matrix multiplies several times faster than float32.

    >>> isinstance(cpu_features(), list)
    True
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith(("flags", "Features")):
                    have = set(line.split(":", 1)[1].split())
                    return [flag for flag in _SIMD_FLAGS if flag in have]
    except OSError:
        pass
    return []


@functools.lru_cache(maxsize=4)
def matmul_peak_gflops(dtype: str = "float32", size: int = 2048, seconds: float = 0.6) -> float:
    """The matrix-multiply speed TensorFlow reaches on this machine, in GFLOP/s (measured once per process).

    Multiplies two ``size`` × ``size`` matrices (2·size³ floating-point operations
    each) in a compiled loop for about ``seconds`` and keeps the fastest of three
    timings. Training speed is bounded by this number, so a result measured in
    seconds means little without it: the same kind of 2-core machine has come with
    CPUs three times apart. Model FLOP utilisation (MFU) is a model's FLOP/s
    divided by this peak.

    >>> matmul_peak_gflops(size=128, seconds=0.01) > 0
    True
    """
    if dtype not in ("float32", "bfloat16", "float16"):
        raise ValueError(f"dtype must be 'float32', 'bfloat16' or 'float16', got {dtype!r}")
    if size < 16 or seconds <= 0:
        raise ValueError(f"size must be at least 16 and seconds positive, got {size} and {seconds}")
    a = tf.cast(tf.random.stateless_normal((size, size), seed=(1, 2)), dtype)
    b = tf.cast(tf.random.stateless_normal((size, size), seed=(3, 4)), dtype)

    @tf.function
    def repeat(a: tf.Tensor, b: tf.Tensor, n: tf.Tensor) -> tf.Tensor:
        total = tf.zeros((), dtype)
        for _ in tf.range(n):
            total += tf.matmul(a, b)[0, 0]
        return total

    flops = 2.0 * size**3
    repeat(a, b, tf.constant(1)).numpy()  # trace and warm up
    started = time.perf_counter()
    repeat(a, b, tf.constant(1)).numpy()
    one = max(time.perf_counter() - started, 1e-6)
    n = max(1, int(seconds / 3 / one))
    best = one
    for _ in range(3):
        started = time.perf_counter()
        repeat(a, b, tf.constant(n)).numpy()
        best = min(best, (time.perf_counter() - started) / n)
    return round(flops / best / 1e9, 1)


def machine_info(measure: bool = True) -> dict[str, Any]:
    """What a timing needs beside it: CPU model, core count, accelerator and matmul peak.

    Every results file records this, and the environment report prints it.
    ``measure=False`` leaves out the peak (which takes about a second).

    >>> info = machine_info(measure=False)
    >>> sorted(info)
    ['accelerator', 'cores', 'cpu', 'cpu_features', 'gpus']
    """
    gpus = []
    for gpu in tf.config.list_physical_devices("GPU"):
        gpus.append(tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name))
    info: dict[str, Any] = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "cpu_features": " ".join(cpu_features()) or "unknown",
        "accelerator": accelerator(),
        "gpus": ", ".join(gpus) if gpus else "none",
    }
    if measure:
        info["matmul_gflops_fp32"] = matmul_peak_gflops("float32")
    return info


def environment_report(measure: bool = True) -> dict[str, Any]:
    """What this run has: versions, machine (CPU, cores, matmul peak), devices, profile, data folders.

    Folders are shown short (``~/…``, or the variable that set them), so a
    committed notebook never shows the paths of the machine that ran it.

    >>> report = environment_report(measure=False)
    >>> report["keras backend"]
    'tensorflow'
    """
    from . import __version__
    from .data import (  # here, to keep import order simple
        CACHE_VARIABLE,
        MIRROR_VARIABLE,
        cache_dir,
        mirror_dir,
    )

    devices = tf.config.list_physical_devices()
    machine = machine_info(measure=measure)
    mirror = mirror_dir()
    cache = f"${CACHE_VARIABLE} ({short_path(cache_dir())})" if os.environ.get(CACHE_VARIABLE) else short_path(cache_dir())
    report = {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "keras backend": keras.backend.backend(),
        "numpy": np.__version__,
        "lmcourse": __version__,
        "cpu": machine["cpu"],
        "cpu cores": machine["cores"],
        "cpu features": machine["cpu_features"],
        "devices": ", ".join(sorted({d.device_type for d in devices})),
        "gpus": machine["gpus"],
        "accelerator": machine["accelerator"],
        "profile": get_profile(),
        "data cache": cache,
        "data mirror": f"${MIRROR_VARIABLE} ({short_path(mirror)})" if mirror else "not set",
        "colab": "google.colab" in sys.modules,
    }
    if measure:
        report["matmul peak"] = f"{machine['matmul_gflops_fp32']:,.0f} GFLOP/s (float32, measured)"
    return report


def _quiet_known_warnings() -> None:
    """Hide warnings that are noise for every learner and that the course cannot fix where they arise.

    Keras 3 warns that ``shuffle=True`` "will be ignored" whenever ``fit`` gets a
    ``tf.data`` pipeline, although shuffling there is the pipeline's job (our
    pipelines shuffle with a seed), and ``fit``'s default is ``shuffle=True``.
    TensorFlow's retracing notice is dropped too (see :class:`_RetracingFilter`).
    """
    import warnings

    warnings.filterwarnings("ignore", message=r"`shuffle=True` was passed, but will be ignored",
                            category=UserWarning)
    tf_logger = tf.get_logger()
    if not any(isinstance(f, _RetracingFilter) for f in tf_logger.filters):
        tf_logger.addFilter(_RetracingFilter())


class _RetracingFilter:
    """Drop TensorFlow's "N out of the last M calls ... triggered tf.function retracing" notice.

    Keras compiles one predict and one evaluate function per model; a lab that
    trains and scores several models in a loop reuses their code objects, and
    TensorFlow counts that as retracing. It costs a second per model at most,
    and the notice only alarms a learner.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


def setup(seed: int = 42, *, deterministic: bool = False, verbose: bool = True) -> tf.distribute.Strategy:
    """The one call at the top of every notebook: report, seed, and return the strategy.

    >>> strategy = setup(seed=1, verbose=False)
    >>> strategy.num_replicas_in_sync >= 1
    True
    """
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            f"Keras is using the {keras.backend.backend()!r} backend; this course needs TensorFlow. "
            "Set KERAS_BACKEND=tensorflow before starting Python (or restart the kernel)."
        )
    seed_everything(seed, deterministic=deterministic)
    _quiet_known_warnings()
    if verbose:
        report = environment_report()
        width = max(len(k) for k in report)
        for key, value in report.items():
            print(f"{key:<{width}}  {value}")
        print(f"{'seed':<{width}}  {seed}")
    return get_strategy(verbose=verbose)
