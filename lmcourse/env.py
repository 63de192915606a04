"""The environment: seeds, a report of what this run has, and the accelerator strategy.

    >>> from lmcourse.env import seed_everything
    >>> seed_everything(0)
    0
"""

from __future__ import annotations

import glob
import os
import platform
import random
import sys
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from .profile import get_profile

__all__ = ["environment_report", "get_strategy", "seed_everything", "setup", "accelerator"]


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


def environment_report() -> dict[str, Any]:
    """What this run has: versions, devices, profile and data folders.

    >>> report = environment_report()
    >>> report["keras backend"]
    'tensorflow'
    """
    from .data import cache_dir, mirror_dir  # here, to keep import order simple

    devices = tf.config.list_physical_devices()
    gpu_names = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        gpu_names.append(details.get("device_name", gpu.name))
    mirror = mirror_dir()
    from . import __version__

    return {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "keras backend": keras.backend.backend(),
        "numpy": np.__version__,
        "lmcourse": __version__,
        "cpu cores": os.cpu_count(),
        "devices": ", ".join(sorted({d.device_type for d in devices})),
        "gpus": ", ".join(gpu_names) if gpu_names else "none",
        "accelerator": accelerator(),
        "profile": get_profile(),
        "data cache": str(cache_dir()),
        "data mirror": str(mirror) if mirror else "not set",
        "colab": "google.colab" in sys.modules,
    }


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
    if verbose:
        report = environment_report()
        width = max(len(k) for k in report)
        for key, value in report.items():
            print(f"{key:<{width}}  {value}")
        print(f"{'seed':<{width}}  {seed}")
    return get_strategy(verbose=verbose)
