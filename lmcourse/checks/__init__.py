"""Exercise checks: each ``check_…`` runs a learner's function on real cases and says what is wrong.

A check prints one line — attempted or not, right or wrong, and a hint — and
returns True only when every case passes, so a solution can ``assert`` it.
An untouched stub (one that raises NotImplementedError or returns None or
``...``) is reported as "not attempted yet", never as an error, so a notebook
still runs to the end.

The checks live in one module per lab (``lab00`` … ``lab09``) beside the shared
``core``; import them from here: ``from lmcourse.checks import check_rnn_step``.

    >>> def stub(probs):
    ...     raise NotImplementedError
    >>> check_sequence_log_prob(stub)
    ⏳ sequence_log_prob: not attempted yet. Replace `raise NotImplementedError` with your code and run the cell again.
    False
"""
from .core import Case, CheckResult, check_function, converted
from .lab00 import (
    check_alpha_tokenize,
    check_strided_windows,
    check_vocab_for_coverage,
    check_sequence_log_prob,
)
from .lab01 import (
    check_add_k_prob,
    check_bigram_counts,
    check_continuation_count,
    check_perplexity_from_log_probs,
)
from .lab02 import (
    check_analogy,
    check_cosine_similarity,
    check_keep_probability,
    check_noise_distribution,
)
from .lab03 import (
    check_context_windows,
    check_cross_entropy_from_logits,
    check_logsumexp,
    check_softmax_gradient,
)
from .lab04 import (
    check_rnn_step,
    check_scale_radius,
    check_simple_rnn_params,
    check_softmax_temperature,
)
from .lab05 import (
    check_clip_by_global_norm,
    check_gated_params,
    check_gru_step,
    check_lstm_step,
)
from .lab06 import (
    check_additive_attention,
    check_decoder_mask,
    check_mha_params,
    check_shift_matrix,
)
from .lab07 import (
    check_gpt_params,
    check_kv_cache_bytes,
    check_lr_schedule,
    check_min_p_filter,
)
from .lab08 import (
    check_auc_by_ranking,
    check_mark_negation,
    check_metrics_from_confusion,
    check_pad_and_truncate,
)
from .lab09 import (
    check_layerwise_lrs,
    check_masked_accuracy,
    check_per_token_and_char,
    check_wordpiece,
)

__all__ = [
    "Case",
    "CheckResult",
    "check_function",
    "converted",
    "check_sequence_log_prob",
    "check_alpha_tokenize",
    "check_vocab_for_coverage",
    "check_strided_windows",
    "check_bigram_counts",
    "check_add_k_prob",
    "check_perplexity_from_log_probs",
    "check_continuation_count",
    "check_cosine_similarity",
    "check_noise_distribution",
    "check_keep_probability",
    "check_analogy",
    "check_logsumexp",
    "check_cross_entropy_from_logits",
    "check_softmax_gradient",
    "check_context_windows",
    "check_rnn_step",
    "check_softmax_temperature",
    "check_scale_radius",
    "check_simple_rnn_params",
    "check_lstm_step",
    "check_gru_step",
    "check_clip_by_global_norm",
    "check_gated_params",
    "check_additive_attention",
    "check_decoder_mask",
    "check_mha_params",
    "check_shift_matrix",
    "check_gpt_params",
    "check_lr_schedule",
    "check_min_p_filter",
    "check_kv_cache_bytes",
    "check_mark_negation",
    "check_metrics_from_confusion",
    "check_auc_by_ranking",
    "check_pad_and_truncate",
    "check_wordpiece",
    "check_per_token_and_char",
    "check_layerwise_lrs",
    "check_masked_accuracy",
]
