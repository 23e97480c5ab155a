"""One-dimensional ideal points of states in the General Assembly: static (per session) and dynamic models.

Model (``model="ordered"``, the default): an ordered-probit item-response model
on all three choices of every recorded vote, no < abstain < yes, written as in
emIRT's ``ordIRT`` (Imai, Lo and Olmsted 2016, "Fast estimation of ideal
points with massive data", APSR 110(4)). For state ``i`` and roll call ``j``
of a session a latent ``z_ij = a_j + b_j x_i + e_ij / sqrt(d_j)`` with
``e_ij ~ N(0, 1)``; the state votes no if ``z < 0``, abstains if
``0 <= z < 1`` and votes yes if ``z >= 1``. ``x_i`` is the ideal point; on the
usual unit-variance latent scale roll call ``j`` has discrimination
``b_j sqrt(d_j)``, cutpoint ``-a_j sqrt(d_j)`` and an abstention band
``sqrt(d_j)`` wide. "Present but not voting" (code 8) and absence are
missing, not choices.

``model="binary"`` is the probit model of ``pscl::ideal`` (yes = 1, no = 0,
abstention missing): ``z_ij = a_j + b_j x_i + e_ij``, yes if ``z >= 0``, i.e.
``P(yes) = Phi(a_j + b_j x_i)`` (emIRT's ``binIRT``).

Priors (:class:`Priors`): ``x_i ~ N(0, 1)``; ``a_j, b_j ~ N(0, 5^2)``
(``pscl::ideal``'s defaults, so the binary model is like for like with it);
ordered model: the band precision ``d_j ~ Gamma(shape 2, rate 1)`` (mode 1: an
abstention band one standard deviation wide; it keeps roll calls with no
abstention finite). No roll call is dropped, however lopsided: the priors keep
the parameters of unanimous and near-unanimous roll calls finite, and such
votes still inform the positions of the few states in the minority.

Estimation: the joint posterior mode, by the EM algorithm of Imai, Lo and
Olmsted with probit data augmentation. E-step: the mean (and variance) of
every observed ``z_ij`` given the vote, a truncated normal (closed form with
``scipy.special.ndtr``). M-step, as conditional maximisations (ECM): all ideal
points given the roll calls (one weighted least-squares ratio per state),
then every roll call's ``(a_j, b_j)`` given the ideal points (a ridge
regression, a batch of 2x2 solves), then ``d_j`` (closed form). Each
iteration is a few vectorised passes over the states x roll calls matrix,
and never decreases the log posterior (tested). EM converges slowly along
the location/scale ridge of the model, so by default it is accelerated with
SQUAREM (Varadhan and Roland 2008, scheme S3: two EM steps, an extrapolated
step along them, one more EM step from there), with a safeguard: the
extrapolation is kept only if the log posterior there is at least that after
the two plain steps, so the sequence of log posteriors still never
decreases. Convergence: the largest change of any standardised ideal point
over one SQUAREM cycle (three EM steps) below ``tol`` (default ``1e-4``
standard deviations, well under any standard error). Sessions are fitted
together as one block-diagonal panel (independent problems sharing the
vectorised arithmetic); each stops on its own.

Starting values and local modes: the ordered model's posterior is not
always unimodal. In session 31 (1976, 89 roll calls) EM and Newton from
the first principal component of the vote matrix end on a local mode whose
positions correlate only 0.23 and 0.12 with sessions 30 and 32; starting
from classical scaling of the states' agreement (as W-NOMINATE does) reaches
a mode 204 log-posterior units higher that orders states as the
neighbouring sessions do (r 0.99 with the dynamic model). The agreement
start alone is not enough either: in session 10 it ends 9 units below the
principal-component start. So :func:`~blocwatch.ga.ideal.static.fit_panel` screens both starts (EM
until positions move < :data:`~blocwatch.ga.ideal.static.SCREEN_TOL` sd per cycle) and continues each
session from the one with the higher log posterior; over all 74 sessions
this reaches the better of the two full fits in every session (checked
against both single-start fits), for about 1 s more in all.

Standard errors: ``1 / sqrt(I_i)`` where ``I_i`` is the observed information
about ``x_i`` at the mode (Louis's identity for the augmented probit:
``1 + sum_j d_j b_j^2 (1 - Var(e_ij | vote))``), conditional on the roll-call
parameters (estimated from all ~190 states, so their uncertainty is small by
comparison); they do not include uncertainty in the roll-call parameters.

Variational alternative (``method="vb"``, binary model only): the
mean-field variational Bayes of Imai, Lo and Olmsted (emIRT's ``binIRT``),
``q(x) q(a, b) q(z)`` with Gaussian ``q(x_i)``, bivariate Gaussian
``q(a_j, b_j)`` and truncated-normal ``q(z_ij)``, fitted by coordinate
ascent on the evidence lower bound (ELBO) with SQUAREM and a ridge step
(:func:`blocwatch.ga.ideal.vb.run_vb`). Unlike the mode, each position update uses
``E b^2 = Var b + (E b)^2`` and each roll-call update ``E x^2 = Var x +
(E x)^2``, which pulls states that vote alone (separated, or nearly so)
towards the others, closer to an MCMC posterior mean (``pscl::ideal``).
Its standard errors are the variational posterior sds ``sqrt(Var_q x_i)``:
mean-field VB ignores the posterior correlation between positions and roll
calls and is known to understate uncertainty, so they are smaller than
MCMC posterior sds; use them as a lower bound. Convergence: standardised
positions move by less than ``1e-3`` over a SQUAREM cycle.

Reporting scale: within each session the ideal points are standardised to
mean 0 and standard deviation 1 over the states estimated (standard errors
divided by the same standard deviation), and the sign is fixed so that the
United States is positive (if it cast no vote in a session, the first of
:data:`SIGN_ANCHORS` that did). Static positions are therefore comparable
within a session only; the dynamic model (:mod:`blocwatch.ga.ideal.dynamic`,
``dynamics="dynamic"``) links sessions.

Words: ``model`` is the response model (``"ordered"`` | ``"binary"``),
``dynamics`` whether sessions are fitted apart or linked (``"static"`` |
``"dynamic"``), ``method`` the estimator (``"mode"`` | ``"vb"``).

Use: :func:`estimate` (a votes frame or a database engine -> an
:class:`IdealPoints` results object: ``positions``, ``rollcalls``,
``diagnostics``, ``spec``, ``data_version``, ``walk``; ``.to_dict()``,
``.to_frame()``). :func:`ideal_points`, :func:`dynamic_ideal_points`,
:func:`fit` and :func:`fit_dynamic` return the positions as a DataFrame with
a summary in ``attrs`` (the older interface).

Modules, each importing only the ones above it:

* :mod:`.core` - names (``Model``, ``Dynamics``, ``Method``), constants,
  :class:`Priors`, one session's :class:`SessionMatrix`, :func:`session_matrices`;
* :mod:`.panel` - :class:`~.panel.Panel` (sessions side by side), :class:`~.panel.Params`;
* :mod:`.em` - E-step, M-steps, ridge step, SQUAREM-accelerated ECM (:func:`~.em.run_em`);
* :mod:`.starts` - starting values (agreement scaling, first component);
* :mod:`.newton` - the Newton finish (:func:`~.newton.newton_finish`);
* :mod:`.vb` - variational Bayes for the binary model (:func:`~.vb.run_vb`);
* :mod:`.results` - :class:`IdealPoints` and its parts;
* :mod:`.static` - the static fits (:func:`~.static.estimate_static`, :func:`fit_matrix`, :func:`report`);
* :mod:`.dynamic` - the random-walk model (:func:`~.dynamic.estimate_dynamic`);
* :mod:`.api` - :func:`estimate`, :func:`ideal_points`, :func:`dynamic_ideal_points`.
"""

from blocwatch.ga.ideal.api import dynamic_ideal_points, estimate, ideal_points
from blocwatch.ga.ideal.core import (
    DYNAMICS,
    METHODS,
    MODE_TOL,
    MODELS,
    OUTPUT_COLUMNS,
    SIGN_ANCHORS,
    VB_TOL,
    Dynamics,
    Method,
    Model,
    Priors,
    SessionMatrix,
    pscl_filter,
    session_matrices,
    sign_anchor,
)
from blocwatch.ga.ideal.dynamic import estimate_dynamic, fit_dynamic
from blocwatch.ga.ideal.results import IdealPoints, ModelSpec, SessionDiagnostics, WalkDiagnostics
from blocwatch.ga.ideal.static import SessionFit, estimate_static, fit, fit_matrix, report

__all__ = [
    "DYNAMICS", "METHODS", "MODELS", "MODE_TOL", "OUTPUT_COLUMNS", "SIGN_ANCHORS", "VB_TOL",
    "Dynamics", "IdealPoints", "Method", "Model", "ModelSpec", "Priors", "SessionDiagnostics", "SessionFit",
    "SessionMatrix", "WalkDiagnostics",
    "dynamic_ideal_points", "estimate", "estimate_dynamic", "estimate_static", "fit", "fit_dynamic", "fit_matrix",
    "ideal_points", "pscl_filter", "report", "session_matrices", "sign_anchor",
]
