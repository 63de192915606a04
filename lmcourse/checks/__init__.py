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
    check_sequence_log_prob,
    check_strided_windows,
    check_vocab_for_coverage,
)
from .lab01 import (
    check_bigram_counts,
    check_discount_estimate,
    check_stupid_backoff,
    check_witten_bell,
)
from .lab02 import (
    check_analogy_3cosmul,
    check_sgns_step,
    check_shifted_ppmi,
    check_spearman,
)
from .lab03 import (
    check_best_temperature,
    check_sample_index,
    check_smoothed_cross_entropy,
    check_softmax_jacobian,
)
from .lab04 import (
    check_bptt_gradients,
    check_char_rnn_params,
    check_scaled_orthogonal,
    check_stateful_batches,
)
from .lab05 import (
    check_clip_by_global_norm,
    check_forget_bias,
    check_gru_reset_before,
    check_units_for_budget,
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
    "check_stupid_backoff",
    "check_witten_bell",
    "check_discount_estimate",
    "check_sgns_step",
    "check_spearman",
    "check_analogy_3cosmul",
    "check_shifted_ppmi",
    "check_softmax_jacobian",
    "check_smoothed_cross_entropy",
    "check_sample_index",
    "check_best_temperature",
    "check_bptt_gradients",
    "check_stateful_batches",
    "check_scaled_orthogonal",
    "check_char_rnn_params",
    "check_gru_reset_before",
    "check_clip_by_global_norm",
    "check_units_for_budget",
    "check_forget_bias",
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
