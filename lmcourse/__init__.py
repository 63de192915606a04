"""lmcourse: the helpers for the course *Language Models, from Theory to Practice*.

Each notebook introduces the helpers it builds; later notebooks import them.
Modules are named for what they hold: ``profile`` (run sizes), ``env``
(seeds, environment report, accelerator strategy), ``data`` (verified
downloads, cache, mirror), ``imdb``, ``nltk_tools``, ``text`` (tokenizers,
vocabularies, tf.data windows), ``plots``, ``checks`` (exercise feedback),
``leaderboard`` (character-level results), ``ngram`` (lab 01), ``word2vec``
(lab 02), ``metrics``, ``windows`` and ``models`` (lab 03), ``rnn`` (labs
04–05), ``sampling`` (temperature, generation) and ``training`` (time budgets,
validation curves).

    >>> import lmcourse
    >>> lmcourse.__version__
    '0.1.0'
"""

import os

# Quiet TensorFlow's C++ start-up logs (set TF_CPP_MIN_LOG_LEVEL=0 to see them); Python
# errors still raise as usual. Takes effect only if lmcourse is imported before TensorFlow.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "0.1.0"
REPOSITORY = "lmcourse/language-models-course"  # where the course lives on GitHub
