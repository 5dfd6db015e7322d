"""The report's figures: each function takes tables and returns a matplotlib figure (or None).

- ``gradients``: digits heatmap per method and function, FLOPs ratio against time ratio;
- ``sweep``: finite-difference error against step size (the U-curve);
- ``scaling``: time, cost ratio and compile time against dimension, with fitted slopes;
- ``runs``: convergence curves and the ECDF of targets reached;
- ``studies`` / ``studies_more``: one figure per study table;
- ``_base``: what they share (lazy pyplot with Agg, colours per method, PNG bytes).

matplotlib is imported when the first figure is drawn.
"""

from ._base import png as png
from .gradients import digits_heatmap as digits_heatmap
from .gradients import flops_vs_time as flops_vs_time
from .runs import convergence_figure as convergence_figure
from .runs import ecdf_figure as ecdf_figure
from .scale_out import scale_out_figure as scale_out_figure
from .scaling import scaling_figure as scaling_figure
from .studies import local_minima_figure as local_minima_figure
from .studies import saddles_figure as saddles_figure
from .studies import vanishing_figure as vanishing_figure
from .studies_more import expectations_figure as expectations_figure
from .studies_more import learning_rate_figure as learning_rate_figure
from .sweep import computed_sweeps as computed_sweeps
from .sweep import sweep_figure as sweep_figure
