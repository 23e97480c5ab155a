"""Deprecated: the dynamic model lives in :mod:`blocwatch.ga.ideal` (``dynamic_ideal_points``,
``fit_dynamic``, ``estimate(..., dynamics="dynamic")``). Kept so older imports keep working."""

from blocwatch.ga.ideal.api import dynamic_ideal_points
from blocwatch.ga.ideal.dynamic import estimate_dynamic, fit_dynamic

__all__ = ["dynamic_ideal_points", "estimate_dynamic", "fit_dynamic"]
