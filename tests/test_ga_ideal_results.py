"""ga.ideal as a package: the results object, estimate(), session selection in the dynamic model, import order."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtr
from threadpoolctl import threadpool_limits

from blocwatch.errors import NotFound
from blocwatch.ga import ideal
from blocwatch.ga.ideal import IdealPoints, estimate
from test_ga_ideal import simulate


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _panel_votes(rng: np.random.Generator, n: int = 50, sessions: int = 4, drift: float = 0.15) -> pd.DataFrame:
    """Votes of ``sessions`` sessions whose positions follow a random walk (the US most positive)."""
    states = ["USA"] + [f"S{i:03d}" for i in range(n - 1)]
    x = rng.standard_normal(n)
    x[0] = 2.5
    parts = []
    for t in range(sessions):
        parts.append(simulate(x, 40, rng, session=t + 1, states=states, rcid0=1000 * t))
        x = x + rng.normal(0, drift, n)
    return pd.concat(parts, ignore_index=True)


def test_estimate_returns_a_frozen_results_object():
    rng = np.random.default_rng(21)
    votes = _panel_votes(rng, sessions=2)
    res = estimate(votes, data_version="sim-21")
    assert isinstance(res, IdealPoints)
    assert res.sessions == (1, 2) and res.converged and res.data_version == "sim-21" and res.walk is None
    assert list(res.positions.columns) == ["iso3", "session", "ideal", "se", "n_votes"]
    pd.testing.assert_frame_equal(res.positions, ideal.fit(votes))        # the DataFrame interface: same rows
    spec = res.spec
    assert (spec.model, spec.dynamics, spec.method, spec.tol, spec.omega) == ("ordered", "static", "mode", 1e-6, None)
    d = res.diagnostic(2)
    assert (d.session, d.n_states, d.n_rollcalls, d.method) == (2, 50, 40, "mode")
    assert d.converged and d.iterations > 0 and np.isfinite(d.log_posterior) and d.elbo is None
    assert d.starts_screened == ("agreement", "pca") and d.start in d.starts_screened
    with pytest.raises(NotFound, match="session 3 is not in these results"):
        res.diagnostic(3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.positions = res.positions.head()
    # Roll calls: every roll call of every session, on the reporting scale.
    assert list(res.rollcalls.columns) == ["session", "rcid", "intercept", "discrimination", "band", "n_votes"]
    assert len(res.rollcalls) == 80 and (res.rollcalls["band"] > 0).all() and (res.rollcalls["n_votes"] == 50).all()
    # to_frame: the attrs the DataFrame functions have always carried.
    assert res.to_frame().attrs["fits"] == ideal.fit(votes).attrs["fits"] == {
        s: {"iterations": res.diagnostic(s).iterations, "converged": True, "n_rollcalls": 40} for s in (1, 2)}
    # to_dict: JSON-able, positions as the CLI prints them.
    out = json.loads(json.dumps(res.to_dict()))
    assert out["data_version"] == "sim-21" and out["spec"]["dynamics"] == "static"
    assert out["spec"]["priors"] == {"x_sd": 1.0, "item_sd": 5.0, "prec_shape": 2.0, "prec_rate": 1.0}
    assert out["positions"][0] == {"iso3": res.positions["iso3"][0], "session": 1,
                                   "ideal": res.positions["ideal"][0], "se": res.positions["se"][0],
                                   "n_votes": 40}
    assert len(out["positions"]) == 100 and len(out["rollcalls"]) == 80 and len(out["diagnostics"]) == 2
    assert out["rollcalls"][0]["band"] > 0


def test_vb_results_report_the_elbo_and_the_binary_model_has_no_band():
    rng = np.random.default_rng(22)
    res = estimate(_panel_votes(rng, sessions=1), model="binary", method="vb")
    d = res.diagnostic(1)
    assert d.method == "vb" and d.elbo is not None and np.isfinite(d.elbo) and d.log_posterior is None
    assert res.spec.tol == 1e-3 and res.rollcalls["band"].isna().all()
    assert json.loads(json.dumps(res.to_dict()))["rollcalls"][0]["band"] is None


@pytest.mark.parametrize("model", ["ordered", "binary"])
def test_rollcall_parameters_give_the_model_probabilities_on_the_reported_scale(model):
    rng = np.random.default_rng(23)
    x = rng.standard_normal(60)
    x[0] = -3.0                                   # the US on the "wrong" side: the report flips the sign
    votes = simulate(x, 30, rng, states=["USA"] + [f"S{i:03d}" for i in range(59)])
    res = estimate(votes, model=model)
    (m,) = ideal.session_matrices(votes, model)
    f = ideal.fit_matrix(m, model)               # the internal scale: z = a + b x + e / sqrt(d)
    pos = res.positions.set_index("iso3").loc[m.states, "ideal"].to_numpy()
    rc = res.rollcalls.set_index("rcid").loc[m.rcids]
    lin = rc["intercept"].to_numpy() + np.outer(pos, rc["discrimination"].to_numpy())
    root = np.sqrt(f.d)
    internal = (f.a + np.outer(f.x, f.b)) * root
    assert np.abs(lin - internal).max() < 1e-9
    assert np.allclose(ndtr(-lin), ndtr(-internal), atol=1e-12)              # P(no)
    if model == "ordered":
        band = rc["band"].to_numpy()
        assert np.allclose(band, root)
        assert np.allclose(ndtr(lin - band), ndtr(internal - root), atol=1e-12)   # P(yes)
    assert res.positions.set_index("iso3").loc["USA", "ideal"] > 0


def test_dynamic_fit_of_selected_sessions_is_the_full_fit_reported_for_them():
    # Issue 8 item 2: a dynamic fit restricted to one session used to be the static fit of that session.
    rng = np.random.default_rng(24)
    votes = _panel_votes(rng, sessions=4)
    full = estimate(votes, dynamics="dynamic")
    one = estimate(votes, [2], dynamics="dynamic", data_version="v1")
    assert one.walk.sessions_fitted == (1, 2, 3, 4) and one.sessions == (2,) and one.data_version == "v1"
    expected = full.positions[full.positions["session"] == 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(one.positions, expected)
    pd.testing.assert_frame_equal(one.rollcalls, full.rollcalls[full.rollcalls["session"] == 2].reset_index(drop=True))
    static = estimate(votes, [2]).positions.set_index("iso3")["ideal"]
    dyn = one.positions.set_index("iso3")["ideal"].loc[static.index]
    assert np.abs(dyn - static).max() > 0.05                       # not the static numbers
    assert one.spec.dynamics == "dynamic" and one.spec.omega == 0.1 and one.walk.converged
    assert one.diagnostic(2).start == "static" and one.diagnostic(2).iterations == full.walk.iterations
    frame = ideal.fit_dynamic(votes, [2, 4])
    assert sorted(frame["session"].unique()) == [2, 4] and frame.attrs["sessions_fitted"] == [1, 2, 3, 4]
    assert frame.attrs["converged"] and frame.attrs["omega"] == 0.1
    assert estimate(votes, [9], dynamics="dynamic").positions.empty          # a session not in the votes


def test_estimate_refuses_what_is_not_implemented():
    votes = _panel_votes(np.random.default_rng(25), n=20, sessions=2)
    with pytest.raises(ValueError, match="dynamic model is implemented for model='ordered'"):
        estimate(votes, dynamics="dynamic", model="binary")
    with pytest.raises(ValueError, match="dynamic model is implemented"):
        estimate(votes, dynamics="dynamic", model="binary", method="vb")
    with pytest.raises(ValueError, match="omega"):
        estimate(votes, omega=0.2)
    with pytest.raises(ValueError, match="unknown dynamics 'linked'"):
        estimate(votes, dynamics="linked")
    with pytest.raises(ValueError, match="binary model only"):
        estimate(votes, method="vb")


def test_modules_of_the_package_import_one_way():
    order = ["core", "panel", "em", "starts", "newton", "vb", "results", "static", "dynamic", "api", "__init__"]
    root = Path(ideal.__file__).parent
    assert sorted(p.stem for p in root.glob("*.py")) == sorted(order)
    for rank, name in enumerate(order):
        tree = ast.parse((root / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("blocwatch.ga.ideal"):
                target = node.module.removeprefix("blocwatch.ga.ideal").lstrip(".")
                assert target and order.index(target) < rank, f"{name} imports {node.module}"
                assert not any(a.name.startswith("_") for a in node.names), f"{name} imports a private name"


def test_estimate_from_the_store_matches_the_cli_json(engine, cli):
    res = estimate(engine, [74], data_version="bundled")
    assert res.data_version == "bundled" and res.sessions == (74,)
    pd.testing.assert_frame_equal(res.positions, ideal.ideal_points(engine, [74]))
    rows = json.loads(cli("ideal", "--session", "74", "--json").output)
    assert rows == res.to_dict()["positions"]
    assert res.positions.iloc[0]["iso3"] == "USA"


def test_dynamic_session_selection_on_real_votes(engine):
    # Fast real-data version of the regression below: three sessions, the selection reports the linked fit's rows.
    from blocwatch.ga.votes import votes_frame

    votes = votes_frame(engine, [72, 73, 74], lineage=True)
    full = estimate(votes, dynamics="dynamic")
    sel = estimate(votes, [74], dynamics="dynamic")
    pd.testing.assert_frame_equal(sel.positions,
                                  full.positions[full.positions["session"] == 74].reset_index(drop=True))
    static = estimate(votes_frame(engine, [74]), [74]).positions.set_index("iso3")["ideal"]
    dyn = sel.positions.set_index("iso3")["ideal"]
    assert dyn["USA"] > 0 and abs(dyn["USA"] - static["USA"]) > 0.05         # 4.160 against the static 4.048
    assert np.abs(dyn - static.loc[dyn.index]).max() > 0.1


def test_dynamic_ideal_points_of_one_session_are_rows_of_the_full_dynamic_fit(small_db_engine):
    # Issue 8 item 2: `blocwatch ideal --dynamic --session 74` printed the static numbers (US +4.048) because
    # dynamic_ideal_points(engine, [74]) fitted the dynamic model on session 74 alone, where the random walk
    # links nothing. It must fit every stored session and report 74's rows of that fit. On the small database
    # (the sessions of SMALL_SESSIONS: a dynamic fit of every GA session 1-80 takes about 35 s here).
    from tests.conftest import SMALL_SESSIONS

    one = ideal.dynamic_ideal_points(small_db_engine, [74])  # (its rows are the full fit's: shown above)
    static = ideal.ideal_points(small_db_engine, [74]).set_index("iso3")["ideal"]
    dyn = one.set_index("iso3")["ideal"]
    assert static["USA"] == pytest.approx(4.048, abs=5e-4)  # the unvotes session 74, as published before
    assert np.abs(dyn - static.loc[dyn.index]).max() > 0.5
    assert one.attrs["converged"] and sorted(one.attrs["sessions_fitted"]) == sorted(SMALL_SESSIONS)
