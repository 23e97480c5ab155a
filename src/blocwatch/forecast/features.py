"""What the model knows about a state facing a text critical of a target: features from a :class:`Cut`.

Every number is computed from a cut (:meth:`History.before`), so only from
what was known before its day. Votes are *oriented* (:mod:`.history`):
"yes" is the critical vote. Older votes weigh less: a vote's weight halves
every :data:`HALF_LIFE_YEARS` years.

The features (:data:`FEATURES`):

``same_yes``, ``same_no``, ``same_n``
    the state's shares of yes and no on earlier texts about the same
    target (shrunk towards its shares on all country texts when it has
    few), and how many there were (log);
``last_same_*``
    its last vote on a text about the target (all zero when none);
``all_yes``, ``all_no``, ``all_n``
    its shares on every earlier country text (shrunk towards everyone's);
``like_yes``, ``like_no``
    its shares on the earlier texts about states that vote like the
    target in the General Assembly: each text weighs by the square of
    the agreement between its target and this one (a text on Syria
    counts for a text on China; one on Israel barely);
``group_same_yes``, ``group_same_no``
    how its regional group voted on the earlier texts about the target
    (what a new member's neighbours did);
``ga_target``, ``ga_sponsors``, ``ga_known``
    its General Assembly agreement (Voeten's index: abstain against yes
    or no is half agreement) with the target and with the likely sponsors
    over the three years before the day; the likely sponsors are the
    states that voted yes on at least 90 % of the earlier texts about the
    target (at least two of them), else on the country texts of the last
    five years;
``stmt_*``
    whether it signed the latest joint statement critical of the target
    whose list is complete, or the latest supportive one (their lists are
    mostly undisclosed: a known signer is what there is), and the same for
    the latest statements on any target; ``stmt_era``: whether any
    statement had been made yet;
``african`` ... ``latin_american_caribbean``
    its regional group (WEOG: all zero), ``same_group`` as the target;
``eu``, ``oic``, ``arab_league``, ``oic_with_target``
    its blocs on the day (:mod:`blocwatch.blocs`), and whether both it
    and the target are in the OIC;
``is_target``
    the vote of the state the text is about;
``supportive_text``
    the text is one the target welcomes (technical assistance and the
    like: its yes is not the critical vote). Set by the training table
    for the earlier votes; a forecast is always for a critical text (0).

Besides the features, the three baseline rules of the backtest
(:mod:`.baselines`) read their prediction from the same cut here, so
that they too never peek.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from blocwatch import blocs, registry
from blocwatch.forecast.history import ABSTAIN, MISSING, NO, YES, Cut

HALF_LIFE_YEARS = 4.0
GA_WINDOW_DAYS = 3 * 365
SPONSOR_SHARE = 0.9
GROUPS = ("african", "asia_pacific", "eastern_european", "latin_american_caribbean")
FEATURES = (
    "same_yes", "same_no", "same_n", "last_same_yes", "last_same_abstain", "last_same_no",
    "all_yes", "all_no", "all_n", "like_yes", "like_no", "group_same_yes", "group_same_no",
    "ga_target", "ga_sponsors", "ga_known",
    "stmt_critical_target", "stmt_supportive_target", "stmt_critical_any", "stmt_supportive_any", "stmt_era",
    *GROUPS, "same_group", "eu", "oic", "arab_league", "oic_with_target", "is_target", "supportive_text",
)
RULES = ("own_last", "statements", "ga_neighbour")


@dataclass(frozen=True)
class Block:
    """Features (rows: ``states``) of one target on one day, the rules' predictions and the facts behind them."""

    day: dt.date
    target: str
    states: list[str]
    X: np.ndarray                 # float64, len(states) x len(FEATURES)
    rules: np.ndarray             # int8, len(states) x len(RULES): a class, or MISSING (no prediction)
    sponsors: tuple[str, ...]     # the likely sponsors the GA agreement is measured against


def _weights(cut: Cut) -> np.ndarray:
    age = (np.datetime64(cut.day, "D") - cut.texts.date).astype(np.float64) / 365.25
    return 0.5 ** (age / HALF_LIFE_YEARS)


def _shares(votes: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted counts per class (3 x columns) and weighted totals (columns)."""
    counts = np.stack([(weight[:, None] * (votes == k)).sum(axis=0) for k in (YES, ABSTAIN, NO)])
    return counts, counts.sum(axis=0)


def _last(votes: np.ndarray) -> np.ndarray:
    """Each column's last vote (MISSING when none)."""
    cast = votes != MISSING
    if not len(votes):
        return np.full(votes.shape[1], MISSING, dtype=np.int8)
    last_row = len(votes) - 1 - np.argmax(cast[::-1], axis=0)
    out = votes[last_row, np.arange(votes.shape[1])]
    return np.where(cast.any(axis=0), out, MISSING).astype(np.int8)


OneHot = tuple[np.ndarray, np.ndarray, np.ndarray]


def onehot(ga: np.ndarray) -> OneHot:
    """Yes, abstain and no indicators (float32) of a block of GA votes (Voeten codes), for :func:`ga_agreement`."""
    return ((ga == 1).astype(np.float32), (ga == 2).astype(np.float32), (ga == 3).astype(np.float32))


def ga_agreement(ga: np.ndarray | OneHot, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Voeten's agreement index (``agree_half`` of :mod:`blocwatch.ga.agreement`) of each state in ``rows`` with
    each in ``cols`` over the roll calls of ``ga`` (Voeten codes, or their :func:`onehot`), and the joint votes
    behind each."""
    y, a, n = onehot(ga) if isinstance(ga, np.ndarray) else ga
    v = y + a + n
    same = y[:, rows].T @ y[:, cols] + a[:, rows].T @ a[:, cols] + n[:, rows].T @ n[:, cols]
    half = a[:, rows].T @ (y + n)[:, cols] + (y + n)[:, rows].T @ a[:, cols]
    joint = v[:, rows].T @ v[:, cols]
    with np.errstate(invalid="ignore", divide="ignore"):
        score = (same + 0.5 * half) / joint
    return score.astype(np.float64), joint.astype(np.int64)


def sponsors(cut: Cut, target: str) -> tuple[str, ...]:
    """The likely sponsors of a text critical of ``target`` (see the module docstring)."""
    votes, weight = cut.texts.votes, np.ones(len(cut.texts))
    rows = cut.about.get(target)
    if rows is not None and len(rows) >= 2:
        found = _loyal(votes[rows], weight[rows], 2)
        if len(found) >= 3:
            return tuple(cut.states[i] for i in found)
    recent = cut.texts.date >= np.datetime64(cut.day - dt.timedelta(days=5 * 365), "D")
    return tuple(cut.states[i] for i in _loyal(votes[recent], weight[recent], 5))


def _loyal(votes: np.ndarray, weight: np.ndarray, least: int) -> np.ndarray:
    counts, total = _shares(votes, weight)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = counts[YES] / total
    return np.flatnonzero((total >= least) & (share >= SPONSOR_SHARE))


def block(cut: Cut, target: str, states: list[str]) -> Block:
    """The features of ``states`` facing a text critical of ``target``, as known on the morning of ``cut.day``."""
    cols = np.asarray([cut.index.get(s, -1) for s in states], dtype=np.int64)
    known = cols >= 0
    safe = np.where(known, cols, 0)
    votes, weight = cut.texts.votes, _weights(cut)
    X = np.zeros((len(states), len(FEATURES)), dtype=np.float64)
    f = {name: i for i, name in enumerate(FEATURES)}

    counts, total = _shares(votes, weight)
    everyone = counts.sum(axis=1) / max(counts.sum(), 1e-9) if total.sum() else np.array([0.6, 0.25, 0.15])
    all_share = (counts[:, safe] + 2 * everyone[:, None]) / (total[safe] + 2)
    all_share[:, ~known] = everyone[:, None]
    X[:, f["all_yes"]], X[:, f["all_no"]] = all_share[YES], all_share[NO]
    X[:, f["all_n"]] = np.log1p(np.where(known, total[safe], 0))

    window = cut.ga.window(np.datetime64(cut.day - dt.timedelta(days=GA_WINDOW_DAYS), "D"), np.datetime64(cut.day, "D"))
    hot = onehot(window)
    like = _likeness(cut, target, window, hot) * weight
    l_counts, l_total = _shares(votes, like)
    like_share = (l_counts[:, safe] + all_share) / (l_total[safe] + 1)
    like_share[:, ~known] = all_share[:, ~known]
    X[:, f["like_yes"]], X[:, f["like_no"]] = like_share[YES], like_share[NO]

    rows = cut.about.get(target, np.empty(0, np.int64))
    same_votes = votes[rows]
    s_counts, s_total = _shares(same_votes, weight[rows])
    same_share = (s_counts[:, safe] + all_share) / (s_total[safe] + 1)
    same_share[:, ~known] = all_share[:, ~known]
    X[:, f["same_yes"]], X[:, f["same_no"]] = same_share[YES], same_share[NO]
    X[:, f["same_n"]] = np.log1p(np.where(known, s_total[safe], 0))
    last_same = np.where(known, _last(same_votes)[safe], MISSING)
    for k, name in ((YES, "last_same_yes"), (ABSTAIN, "last_same_abstain"), (NO, "last_same_no")):
        X[:, f[name]] = last_same == k

    group_of = cut.groups
    mine = [cut.groups[c] if k else _group(s) for s, c, k in zip(states, safe.tolist(), known.tolist(), strict=True)]
    same_everyone = s_counts.sum(axis=1) / s_counts.sum() if s_counts.sum() else everyone
    for g in set(mine):
        in_group = np.asarray([x == g for x in group_of], dtype=bool)
        g_counts = s_counts[:, in_group].sum(axis=1) if g is not None else np.zeros(3)
        share = (g_counts + same_everyone) / (g_counts.sum() + 1)
        at = np.asarray([x == g for x in mine], dtype=bool)
        X[at, f["group_same_yes"]], X[at, f["group_same_no"]] = share[YES], share[NO]

    likely = sponsors(cut, target)
    t_col = cut.index.get(target)
    score_t = np.full(len(states), np.nan)
    if t_col is not None and len(window):
        score, joint = ga_agreement(hot, safe, np.asarray([t_col]))
        score_t = np.where(known & (joint[:, 0] >= 10), score[:, 0], np.nan)
    sp_cols = np.asarray([cut.index[s] for s in likely], dtype=np.int64)
    score_s = np.full(len(states), np.nan)
    if len(sp_cols) and len(window):
        score, joint = ga_agreement(hot, safe, sp_cols)
        score = np.where(joint >= 10, score, np.nan)
        counted = (~np.isnan(score)).sum(axis=1)
        total = np.nansum(score, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            score_s = np.where(known & (counted > 0), total / counted, np.nan)
    X[:, f["ga_known"]] = ~np.isnan(score_t)
    X[:, f["ga_target"]] = np.nan_to_num(score_t, nan=0.5)
    X[:, f["ga_sponsors"]] = np.nan_to_num(score_s, nan=0.5)

    # Critical statements: the latest with a complete list (not on it = did not sign); supportive ones: the latest
    # (their lists are mostly undisclosed, so a known signer is what there is).
    crit_t, supp_t = cut.latest_statement("critical", target, complete=True), cut.latest_statement("supportive", target)
    crit_a, supp_a = cut.latest_statement("critical", complete=True), cut.latest_statement("supportive")
    for name, st in (("stmt_critical_target", crit_t), ("stmt_supportive_target", supp_t),
                     ("stmt_critical_any", crit_a), ("stmt_supportive_any", supp_a)):
        if st is not None:
            X[:, f[name]] = [s in st.signers for s in states]
    X[:, f["stmt_era"]] = bool(cut.statements)

    target_group = _group(target)
    for g in GROUPS:
        X[:, f[g]] = [m == g for m in mine]
    X[:, f["same_group"]] = [m is not None and m == target_group for m in mine]
    members = {b: blocs.members(b, cut.day) for b in ("eu", "oic", "arab_league")}
    for b, who in members.items():
        X[:, f[b]] = [s in who for s in states]
    X[:, f["oic_with_target"]] = X[:, f["oic"]] * (target in members["oic"])
    X[:, f["is_target"]] = [s == target for s in states]

    rules = np.full((len(states), len(RULES)), MISSING, dtype=np.int8)
    last_any = np.where(known, _last(votes)[safe], MISSING)
    rules[:, 0] = np.where(last_same != MISSING, last_same, last_any)
    rules[:, 1] = _statement_rule(states, crit_t, supp_t) if (crit_t or supp_t) else \
        _statement_rule(states, crit_a, supp_a)
    rules[:, 2] = _neighbour(cut, rows, window, hot, safe, known)
    return Block(cut.day, target, list(states), X, rules, likely)


def _likeness(cut: Cut, target: str, window: np.ndarray, hot: OneHot) -> np.ndarray:
    """Per earlier country text: how alike its target and ``target`` vote in the General Assembly (agreement over
    the window, squared; 0 when either is unknown there)."""
    out = np.zeros(len(cut.texts))
    t_col = cut.index.get(target)
    if t_col is None or not len(window) or not len(cut.texts):
        return out
    others = sorted(cut.about)
    cols = np.asarray([cut.index.get(o, t_col) for o in others], dtype=np.int64)
    score, joint = ga_agreement(hot, np.asarray([t_col]), cols)
    alike = np.where((joint[0] >= 10) & np.asarray([o in cut.index for o in others]), score[0], 0.0)
    for o, a in zip(others, alike.tolist(), strict=True):
        out[cut.about[o]] = a * a
    return out


def _group(iso3: str) -> str | None:
    return registry.group_of(iso3) if registry.exists(iso3) else None


def _statement_rule(states: list[str], critical, supportive) -> np.ndarray:
    """Critical signer: yes; supportive signer: no; anyone else: abstain."""
    out = np.full(len(states), ABSTAIN, dtype=np.int8)
    for i, s in enumerate(states):
        if critical is not None and s in critical.signers:
            out[i] = YES
        elif supportive is not None and s in supportive.signers:
            out[i] = NO
    return out


def _neighbour(cut: Cut, rows: np.ndarray, window: np.ndarray, hot: OneHot, safe: np.ndarray,
               known: np.ndarray) -> np.ndarray:
    """The vote, on the latest text about the target (else the latest country text), of the voter closest to each
    state in the General Assembly (highest agreement over at least 10 joint votes in the window)."""
    out = np.full(len(safe), MISSING, dtype=np.int8)
    if not len(cut.texts) or not len(window):
        return out
    ref = cut.texts.votes[rows[-1] if len(rows) else len(cut.texts) - 1]
    voters = np.flatnonzero(ref != MISSING)
    if not len(voters):
        return out
    score, joint = ga_agreement(hot, safe, voters)
    score = np.where((joint >= 10) & (voters[None, :] != safe[:, None]), score, -1.0)
    best = np.argmax(score, axis=1)
    found = known & (score[np.arange(len(safe)), best] >= 0)
    out[found] = ref[voters[best[found]]]
    return out
