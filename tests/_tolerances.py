"""Accuracy thresholds in correct digits (normwise; see diffbench.accuracy) by (method, dtype).

float64 thresholds are the foundation issue's. float32 thresholds are the measured minimum over
the registry's seeded points (3 points per function and dimension, see tests/test_methods.py)
rounded down by about half a digit. Measured minima in float32 on 2026-11-22: reverse_ad 5.5,
forward_ad 5.9, symbolic 5.7, complex_step 5.6 (softmax_regression: a sum of 32 samples'
losses), richardson 3.2 (ackley), central 2.0, central4 1.1, forward 1.8 and backward 2.0
(product_rule x^2 * x^3 near x = 0.1, where f' = 5x^4 is small beside the float32 rounding of
f and the truncation of the default steps eps^(1/(p+1)) ~ 5e-3 .. 4e-2).
"""

MIN_DIGITS = {
    ("reverse_ad", "float64"): 12.0,
    ("forward_ad", "float64"): 12.0,
    ("symbolic", "float64"): 12.0,
    ("complex_step", "float64"): 12.0,
    ("richardson", "float64"): 9.0,
    ("central4", "float64"): 8.0,
    ("central", "float64"): 6.0,
    ("forward", "float64"): 5.0,
    ("backward", "float64"): 5.0,
    ("reverse_ad", "float32"): 5.0,
    ("forward_ad", "float32"): 5.0,
    ("symbolic", "float32"): 5.0,
    ("complex_step", "float32"): 5.0,
    ("richardson", "float32"): 2.5,
    ("central4", "float32"): 0.5,
    ("central", "float32"): 1.5,
    ("forward", "float32"): 1.5,
    ("backward", "float32"): 1.5,
}
