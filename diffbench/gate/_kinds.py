"""The kinds of regression the paired gate judges (light: the CLI's parser imports it)."""

KINDS = ("timing", "wall", "cost", "status")
"""``timing`` per-call time (statistical), ``wall`` setup time (statistical), ``cost`` FLOPs,
bytes, compilations and traces (deterministic), ``status`` a case that broke or went missing."""
