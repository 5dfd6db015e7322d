"""The kinds of regression ``compare`` judges (light: the CLI's parser imports it)."""

KINDS = ("timing", "accuracy", "status", "cost")
"""``timing`` per-call time (statistical), ``accuracy`` digits or targets lost, ``status`` a row
that broke or went missing, ``cost`` FLOPs, bytes, compilations or retraces (deterministic)."""
