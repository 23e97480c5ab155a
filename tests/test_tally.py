"""The shared shift adds correlation to the tally without changing any member's own chances (issue 11 review)."""

from __future__ import annotations

import numpy as np
import pytest

from blocwatch.forecast import tally


def test_one_member_at_80_percent_yes_is_adopted_80_percent_of_the_time():
    assert tally.tally(np.array([[0.8, 0.1, 0.1]]), 1.1).p_adopted == pytest.approx(0.8, abs=1e-5)


@pytest.mark.parametrize("spread", [0.3, 1.1, 2.0])
def test_the_mixture_keeps_each_members_chances_and_the_expected_tally(spread):
    p = np.random.default_rng(4).dirichlet([2, 1, 1], size=30)
    q = tally.centred(p, spread)
    x, w = tally._nodes(spread)
    average = sum(wi * tally.shifted(q, d) for d, wi in zip(x, w, strict=True))
    assert np.abs(average - p).max() < 1e-5
    D = tally.mixture(p, spread)
    assert D.sum(axis=1) @ np.arange(31) == pytest.approx(p[:, 0].sum(), abs=1e-4)
    assert D.sum(axis=0) @ np.arange(31) == pytest.approx(p[:, 2].sum(), abs=1e-4)


def test_the_shift_widens_the_spread_of_the_count():
    p = np.tile([0.6, 0.2, 0.2], (47, 1))
    counts = np.arange(48)
    narrow, wide = tally.mixture(p, 0.0).sum(axis=1), tally.mixture(p, 1.0).sum(axis=1)
    var = lambda d: d @ counts ** 2 - (d @ counts) ** 2  # noqa: E731
    assert var(wide) > 2 * var(narrow)
