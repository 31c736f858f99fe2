"""Medians with min-max over runs, and ratios between medians."""

import statistics


def summary(values, unit=""):
    """{'median', 'min', 'max', 'runs', 'unit'} of the successful runs (None when there were none)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values,
            "unit": unit}


def median(fig):
    return fig["median"] if fig else None


def ratio(a, b):
    """Median of figure a divided by median of figure b (None when either is missing or b is 0)."""
    a, b = median(a) if isinstance(a, dict) else a, median(b) if isinstance(b, dict) else b
    if a is None or not b:
        return None
    return a / b
