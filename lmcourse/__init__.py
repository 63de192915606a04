"""lmcourse: the helpers for the course *Language Models, from Theory to Practice*.

Each notebook introduces the helpers it builds; later notebooks import them.
Modules are named for what they hold: ``profile`` (run sizes), ``env``
(seeds, environment report, machine, accelerator strategy), ``data`` (verified
downloads, cache, mirror), ``imdb``, ``nltk_tools``, ``text`` (tokenizers,
vocabularies, tf.data windows), ``plots``, ``checks`` (exercise feedback),
``results`` (the figures a full run records), ``leaderboard`` (character-level
results), ``ngram`` (lab 01), ``word2vec`` (lab 02), ``metrics``, ``windows``
and ``models`` (lab 03), ``rnn`` (labs 04–05), ``sampling`` (temperature,
top-k, top-p, generation), ``training`` (time budgets, validation curves),
``attention`` (lab 06) and ``transformer`` (lab 07).

    >>> import lmcourse
    >>> lmcourse.__version__
    '0.2.0'
"""

import os
import sys

# Quiet TensorFlow's C++ start-up logs (set TF_CPP_MIN_LOG_LEVEL=0 to see them); Python
# errors still raise as usual. Takes effect only if lmcourse is imported before TensorFlow.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with the process's stderr silenced for the import only.

    A few start-up lines (absl's "log messages before InitializeLog", oneDNN's notice,
    "could not find cuda drivers") are written by C++ code straight to file descriptor 2,
    before ``TF_CPP_MIN_LOG_LEVEL`` is read, and Jupyter shows them in red under the
    setup cell. Python-level errors of the import still raise as usual. Set
    ``LMCOURSE_TF_VERBOSE=1`` to see the lines.
    """
    if "tensorflow" in sys.modules or os.environ.get("LMCOURSE_TF_VERBOSE") == "1":
        return
    try:
        saved = os.dup(2)
    except OSError:  # no real stderr (some embedded interpreters): nothing to silence
        import tensorflow  # noqa: F401
        return
    try:
        with open(os.devnull, "wb") as null:
            sys.stderr.flush()
            os.dup2(null.fileno(), 2)
            try:
                import tensorflow  # noqa: F401
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


_import_tensorflow_quietly()

__version__ = "0.2.0"
REPOSITORY = "lmcourse/language-models-course"  # where the course lives on GitHub
