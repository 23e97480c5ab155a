"""Ideal points: recovery from simulated data, sign rule, standard errors, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from blocwatch.ga import ideal
from blocwatch.ga.ideal import em, newton, starts, static
from blocwatch.ga.ideal.panel import Panel


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """As the library's entry points do: on small matrices BLAS threads only add overhead (and on a loaded
    2-core machine they made the direct ``fit_panel`` calls below 40x slower)."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def simulate(x: np.ndarray, n_items: int, rng: np.random.Generator, session: int = 1,
             states: list[str] | None = None, rcid0: int = 0, observe: np.ndarray | None = None) -> pd.DataFrame:
    """Votes drawn from the ordered probit of ga.ideal, in Voeten's coding (1 yes, 2 abstain, 3 no)."""
    n = len(x)
    states = states or [f"S{i:03d}" for i in range(n)]
    beta = rng.normal(0, 1.5, n_items)
    cut = rng.normal(0, 1.0, n_items)
    cut[: n_items // 4] -= 2.5            # a quarter lopsided, as in the Assembly
    width = np.exp(rng.normal(-0.5, 0.5, n_items))
    latent = np.outer(x, beta) + rng.standard_normal((n, n_items))
    vote = np.where(latent < cut, 3, np.where(latent < cut + width, 2, 1))
    if observe is None:
        observe = np.ones((n, n_items), dtype=bool)
    i, j = np.nonzero(observe)
    return pd.DataFrame({"rcid": rcid0 + j, "session": session, "iso3": np.asarray(states)[i],
                         "vote": vote[i, j].astype(np.int8)})


def test_static_ordered_recovers_simulated_positions():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(120)
    states = ["USA"] + [f"S{i:03d}" for i in range(119)]
    x[0] = abs(x).max() + 0.5            # the US is the most positive state: no flip expected
    out = ideal.fit(simulate(x, 150, rng, states=states))
    est = out.set_index("iso3").loc[states, "ideal"].to_numpy()
    assert np.corrcoef(est, x)[0, 1] >= 0.95
    assert set(out.columns) == {"iso3", "session", "ideal", "se", "n_votes"}
    assert (out["n_votes"] == 150).all()
    assert abs(out["ideal"].mean()) < 1e-9 and abs(out["ideal"].std(ddof=0) - 1) < 1e-9


def test_binary_model_recovers_simulated_positions():
    rng = np.random.default_rng(2)
    x = rng.standard_normal(100)
    states = ["USA"] + [f"S{i:03d}" for i in range(99)]
    x[0] = 3.0
    out = ideal.fit(simulate(x, 150, rng, states=states), model="binary")
    est = out.set_index("iso3").loc[states, "ideal"].to_numpy()
    assert np.corrcoef(est, x)[0, 1] >= 0.95


def test_sign_rule_makes_the_united_states_positive():
    rng = np.random.default_rng(3)
    x = rng.standard_normal(80)
    states = ["USA"] + [f"S{i:03d}" for i in range(79)]
    x[0] = -3.0                           # simulated on the "wrong" side
    out = ideal.fit(simulate(x, 100, rng, states=states))
    est = out.set_index("iso3").loc[states, "ideal"].to_numpy()
    assert out.set_index("iso3").loc["USA", "ideal"] > 0
    assert np.corrcoef(est, x)[0, 1] <= -0.95


def test_standard_errors_shrink_with_more_votes():
    rng = np.random.default_rng(4)
    x = rng.standard_normal(120)
    observe = np.ones((120, 200), dtype=bool)
    observe[60:, 25:] = False             # half the states vote on only 25 roll calls
    out = ideal.fit(simulate(x, 200, rng, observe=observe))
    many = out[out["n_votes"] == 200]["se"]
    few = out[out["n_votes"] == 25]["se"]
    assert len(many) == 60 and len(few) == 60
    assert few.median() > 2 * many.median()


def test_state_without_votes_gets_no_row():
    rng = np.random.default_rng(5)
    votes = simulate(rng.standard_normal(40), 50, rng)
    present_not_voting = pd.DataFrame({"rcid": range(50), "session": 1, "iso3": "XXX", "vote": np.int8(8)})
    out = ideal.fit(pd.concat([votes, present_not_voting], ignore_index=True))
    assert "XXX" not in set(out["iso3"])
    assert len(out) == 40
    # Binary coding: a state that only abstained has no yes/no vote, so no row either.
    abstainer = pd.DataFrame({"rcid": range(50), "session": 1, "iso3": "ABS", "vote": np.int8(2)})
    both = pd.concat([votes, abstainer], ignore_index=True)
    assert "ABS" in set(ideal.fit(both)["iso3"])
    assert "ABS" not in set(ideal.fit(both, model="binary")["iso3"])


def test_unknown_vote_code_is_rejected():
    votes = pd.DataFrame({"rcid": [1, 1], "session": 1, "iso3": ["A", "B"], "vote": np.int8([1, 5])})
    with pytest.raises(ValueError, match="unknown vote code 5"):
        ideal.fit(votes)


def test_pscl_filter_drops_lopsided_rollcalls_and_thin_states():
    y = np.full((50, 3), 2, dtype=np.int8)
    y[:25, 1] = 0                          # balanced roll call
    y[0, 2] = 0                            # 1 of 50 = 2 % minority: dropped
    y[1, :] = -1                           # a state that never voted
    m = ideal.pscl_filter(ideal.SessionMatrix(1, np.array([f"S{i}" for i in range(50)], dtype=object),
                                           np.arange(3), y), min_votes=1)
    assert list(m.rcids) == [1]            # roll call 0 is unanimous, 2 is lopsided
    assert len(m.states) == 49             # only S1 (no vote left) is dropped
    assert "S1" not in set(m.states)


def test_dynamic_model_recovers_random_walk_positions():
    rng = np.random.default_rng(6)
    n, sessions = 80, 6
    states = ["USA"] + [f"S{i:03d}" for i in range(n - 1)]
    x = np.empty((sessions, n))
    x[0] = rng.standard_normal(n)
    x[0, 0] = 2.5
    for t in range(1, sessions):
        x[t] = x[t - 1] + rng.normal(0, 0.1, n)
    votes = pd.concat([simulate(x[t], 60, rng, session=t + 1, states=states, rcid0=1000 * t)
                       for t in range(sessions)], ignore_index=True)
    out = ideal.fit_dynamic(votes)
    assert len(out) == n * sessions
    truth = pd.DataFrame({"iso3": np.tile(states, sessions), "session": np.repeat(np.arange(1, sessions + 1), n),
                          "true": x.ravel()})
    merged = out.merge(truth, on=["iso3", "session"])
    assert np.corrcoef(merged["ideal"], merged["true"])[0, 1] >= 0.95
    assert (out[out["iso3"] == "USA"]["ideal"] > 0).all()
    assert (out["se"] > 0).all()


@pytest.mark.parametrize("model", ["ordered", "binary"])
def test_em_never_decreases_the_log_posterior(model):
    rng = np.random.default_rng(7)
    votes = simulate(rng.standard_normal(40), 30, rng)
    m = ideal.session_matrices(votes, model)[0]
    f = ideal.fit_matrix(m, model, newton=False, accelerate=False, trace=True, tol=1e-12, max_iter=60)
    lp = np.array(f.extra["logpost"])
    assert len(lp) == 61
    assert (np.diff(lp) >= -1e-9 * np.abs(lp[:-1])).all()
    assert lp[-1] > lp[0] + 10                 # it did climb


def test_newton_finish_reaches_the_mode_that_long_em_approaches():
    rng = np.random.default_rng(8)
    votes = simulate(rng.standard_normal(50), 40, rng)
    m = ideal.session_matrices(votes, "ordered")[0]
    panel, _ = Panel.build([m], True, rows=m.states)
    priors = ideal.Priors()
    prior = em.StaticPrior(panel, priors)
    first = em.run_em(panel, starts.start_params(panel), priors, prior, tol=1e-2)
    p, steps, converged, history = newton.newton_finish(panel, first.params, priors, np.ones((50, 1)),
                                                       np.zeros((50, 0)))
    assert converged and steps < 40
    assert (np.diff(history) >= 0).all()
    long = em.run_em(panel, starts.start_params(panel), priors, prior, tol=1e-9, max_iter=20000)
    assert em.log_posterior(panel, long.params, priors, prior)[0] <= history[-1] + 1e-6
    assert np.abs(long.params.x[:, 0] - p.x[:, 0]).max() < 1e-3
    # Gradient zero at the mode: no Newton step moves it.
    _, more, _, _ = newton.newton_finish(panel, p, priors, np.ones((50, 1)), np.zeros((50, 0)))
    assert more <= 2


def test_binary_and_ordered_agree_on_simulated_votes_without_abstentions():
    rng = np.random.default_rng(9)
    x = rng.standard_normal(60)
    votes = simulate(x, 80, rng)
    votes = votes[votes["vote"] != 2]
    a = ideal.fit(votes).set_index("iso3")["ideal"]
    b = ideal.fit(votes, model="binary").set_index("iso3")["ideal"]
    assert np.corrcoef(a, b.loc[a.index])[0, 1] > 0.99


def test_dynamic_model_bridges_a_session_without_votes():
    rng = np.random.default_rng(10)
    n, sessions = 50, 4
    states = ["USA"] + [f"S{i:03d}" for i in range(n - 1)]
    x = np.tile(rng.standard_normal(n), (sessions, 1))
    x[:, 0] = 2.5
    parts = []
    for t in range(sessions):
        v = simulate(x[t], 40, rng, session=t + 1, states=states, rcid0=1000 * t)
        if t == 2:
            v = v[v["iso3"] != "S000"]             # S000 absent from session 3
        parts.append(v)
    out = ideal.fit_dynamic(pd.concat(parts, ignore_index=True))
    s0 = out[out["iso3"] == "S000"]
    assert sorted(s0["session"]) == [1, 2, 4]
    assert out.attrs["converged"]
    assert abs(out["ideal"].mean()) < 1e-9 and abs(out["ideal"].std(ddof=0) - 1) < 1e-9
    # Positions are constant in truth; the walk keeps them close to the truth in every session.
    merged = out.merge(pd.DataFrame({"iso3": states, "true": x[0]}), on="iso3")
    assert np.corrcoef(merged["ideal"], merged["true"])[0, 1] >= 0.95


def test_dynamic_standard_errors_shrink_with_more_votes():
    rng = np.random.default_rng(11)
    n = 60
    x = rng.standard_normal(n)
    observe = np.ones((n, 80), dtype=bool)
    observe[30:, 10:] = False
    parts = [simulate(x, 80, rng, session=t + 1, rcid0=1000 * t, observe=observe) for t in range(3)]
    out = ideal.fit_dynamic(pd.concat(parts, ignore_index=True))
    assert out[out["n_votes"] == 10]["se"].median() > 1.5 * out[out["n_votes"] == 80]["se"].median()


def test_cli_ideal_json_on_the_bundled_votes(cli):
    result = cli("ideal", "--session", "74", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) > 150
    assert all(set(r) == {"iso3", "session", "ideal", "se", "n_votes"} for r in rows)
    assert all(r["session"] == 74 and r["se"] > 0 and r["n_votes"] > 0 for r in rows)
    by = {r["iso3"]: r["ideal"] for r in rows}
    assert by["USA"] > 0 and by["ISR"] > 0 and by["CUB"] < 0


def test_cli_ideal_requires_one_selection(cli):
    result = cli("ideal")
    assert result.exit_code == 2


def test_vb_recovers_simulated_positions():
    rng = np.random.default_rng(12)
    x = rng.standard_normal(100)
    states = ["USA"] + [f"S{i:03d}" for i in range(99)]
    x[0] = 2.5
    out = ideal.fit(simulate(x, 150, rng, states=states), model="binary", method="vb")
    est = out.set_index("iso3").loc[states, "ideal"].to_numpy()
    assert np.corrcoef(est, x)[0, 1] >= 0.95
    assert out.attrs["fits"][1]["converged"]
    assert (out["se"] > 0).all()


def _binary_matrix(x: np.ndarray, n_items: int, rng: np.random.Generator) -> ideal.SessionMatrix:
    states = np.array([f"S{i:03d}" for i in range(len(x))])
    return ideal.session_matrices(simulate(x, n_items, rng, states=list(states)), "binary")[0]


def test_vb_elbo_never_decreases():
    rng = np.random.default_rng(13)
    m = _binary_matrix(rng.standard_normal(30), 25, rng)
    fit = ideal.fit_matrix(m, "binary", method="vb", accelerate=False, trace=True, tol=1e-7, max_iter=300)
    elbo = np.array(fit.extra["elbo"])
    assert len(elbo) > 10
    assert np.all(np.diff(elbo) >= -1e-8 * np.abs(elbo[:-1]))
    assert elbo[-1] > elbo[0]


def test_vb_accelerated_matches_plain_sweeps():
    rng = np.random.default_rng(14)
    m = _binary_matrix(rng.standard_normal(40), 40, rng)
    fast = ideal.fit_matrix(m, "binary", method="vb", tol=1e-7)
    slow = ideal.fit_matrix(m, "binary", method="vb", accelerate=False, tol=1e-9, max_iter=20000)
    assert fast.converged and slow.converged
    zf, zs = (fast.x - fast.x.mean()) / fast.x.std(), (slow.x - slow.x.mean()) / slow.x.std()
    assert np.abs(zf - zs).max() < 1e-3


def test_vb_pulls_a_separated_state_in():
    # One state always votes against the majority (perfectly separated): the mode pushes it far out,
    # VB's variance terms pull it in (standardised scale).
    rng = np.random.default_rng(15)
    x = np.sort(rng.standard_normal(40))
    x[-1] = 4.0
    m = _binary_matrix(x, 30, rng)
    y = m.y.copy()
    last = len(m.states) - 1
    y[last] = np.where(y[:-1].mean(axis=0) > 1.0, 0, 2)      # separated: always against the majority
    m = ideal.SessionMatrix(m.session, m.states, m.rcids, y)
    mode = ideal.report(ideal.fit_matrix(m, "binary")).set_index("iso3")
    vb = ideal.report(ideal.fit_matrix(m, "binary", method="vb")).set_index("iso3")
    sep = m.states[last]
    assert abs(vb.loc[sep, "ideal"]) < abs(mode.loc[sep, "ideal"])
    assert np.corrcoef(vb["ideal"], mode.loc[vb.index, "ideal"])[0, 1] > 0.9


def test_vb_is_for_the_binary_model_only():
    rng = np.random.default_rng(16)
    votes = simulate(rng.standard_normal(20), 10, rng)
    with pytest.raises(ValueError, match="binary model only"):
        ideal.fit(votes, method="vb")
    with pytest.raises(ValueError, match="unknown method"):
        ideal.fit(votes, model="binary", method="mcmc")


def test_static_fit_escapes_the_local_mode_of_session_31(engine):
    # 1976: from the principal-component start alone, EM and Newton end on a local mode (log posterior
    # ~200 lower) whose positions barely correlate with the neighbouring sessions' (r ~ 0.2). The default
    # screened multi-start must reach the higher mode, which orders states as sessions 30 and 32 do.
    from blocwatch.ga.votes import votes_frame

    votes = votes_frame(engine, [30, 31, 32])
    (m31,) = ideal.session_matrices(votes, "ordered", 31)
    panel, _ = Panel.build([m31], True, rows=m31.states)
    prior = em.StaticPrior(panel, ideal.Priors())
    lp = {}
    for start in ("best", "pca"):
        res, _ = static.fit_panel(panel, start=start)
        lp[start] = float(em.log_posterior(panel, res.params, ideal.Priors(), prior)[0])
    assert lp["best"] > lp["pca"] + 50
    wide = ideal.fit(votes).pivot(index="iso3", columns="session", values="ideal").dropna()
    assert wide[31].corr(wide[30]) > 0.8 and wide[31].corr(wide[32]) > 0.8


def test_start_params_rejects_an_unknown_start():
    rng = np.random.default_rng(5)
    (m,) = ideal.session_matrices(simulate(rng.standard_normal(20), 10, rng), "ordered")
    panel, _ = Panel.build([m], True, rows=m.states)
    with pytest.raises(ValueError, match="unknown start 'svd'"):
        starts.start_params(panel, "svd")


@pytest.mark.parametrize("sessions", [
    range(60, 64),                                       # fast: two groups of two sessions
    pytest.param(range(60, 70), marks=pytest.mark.slow),  # the ten sessions of the original check
])
def test_parallel_fit_equals_serial_fit(engine, sessions):
    """Sessions are independent: fitting them in two processes gives the serial answer."""
    from blocwatch.ga.votes import votes_frame

    votes = votes_frame(engine, sessions=sessions)
    serial = ideal.fit(votes, workers=1)
    parallel = ideal.fit(votes, workers=2)
    assert list(parallel.attrs["fits"]) == list(sessions)
    both = serial.merge(parallel, on=["iso3", "session"], suffixes=("_s", "_p"))
    assert len(both) == len(serial) == len(parallel)
    assert np.abs(both["ideal_s"] - both["ideal_p"]).max() < 1e-5
    assert np.abs(both["se_s"] - both["se_p"]).max() < 1e-5
    with pytest.raises(ValueError, match="workers"):
        ideal.fit(votes, workers=0)
