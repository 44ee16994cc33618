"""Fit time and final objective of lossbook.models' estimators, next to scikit-learn's.

Run from the repository root:

    python benchmarks/bench_models.py                # full sizes, about 2 minutes
    python benchmarks/bench_models.py --quick        # 200 x 5 data, 1 repetition (smoke test)
    python benchmarks/bench_models.py --output PATH  # default benchmarks/results/models.md

What it measures, on seeded float64 data of 20000 samples x 50 features (5000 x 50 for the
SVM: one scikit-learn SVC fit (default tol) on 20000 samples took 165 s on the 2-core machine
this was written on, and lossbook's SMO is slower still: too long for the run's budget):

- the median wall time of `fit(X, y)` of each lossbook estimator (LinearRegression, Ridge,
  Lasso, HuberRegressor, LogisticRegression on 2 and on 3 classes, SoftMarginSVM) and of its
  scikit-learn counterpart, interleaved in the same run (lossbook, scikit-learn, lossbook,
  ...), so that the ratio is meaningful on a busy machine even when the absolute times are
  not. scikit-learn runs twice: with settings that reach the optimum to a precision
  comparable to lossbook's (the "precise" columns, which the target uses) and with its
  defaults, when those are looser. Every fit runs with BLAS and OpenMP on one thread (see
  THREADS below);
- the objective each fit reaches, both evaluated by the same function: the lossbook class's
  own `objective(X, y)` method, given the other fit's parameters, or for LogisticRegression
  (which has no such method) `logistic_objective` below, the formula of its docstring.

Target, per row: lossbook's objective no worse than the precise scikit-learn fit's by more than
1e-6 (relative), and its fit time within 2x of that fit's.
The markdown table is printed and written to --output with the date, versions and targets.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy
import sklearn
from _timing import Candidate, choose_repeats, median_times, milliseconds, run_benchmark, table_line
from scipy.special import logsumexp, softmax
from sklearn import linear_model, svm
from threadpoolctl import ThreadpoolController

from lossbook import models

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "models.md"
# (n_samples, n_features) of the data; the SVM's is smaller (see the module docstring).
FULL_SHAPE, SVM_SHAPE, QUICK_SHAPE = (20_000, 50), (5_000, 50), (200, 5)
MAX_TIME_RATIO = 2.0  # lossbook fit time / precise scikit-learn fit time
# "The same objective": lossbook's may exceed scikit-learn's by at most this, relatively.
OBJECTIVE_RTOL = 1e-6
# Repetitions per row: as many interleaved rounds as fit in the budget, within these bounds.
# A round takes 0.03 s to 12 s, so the bounds often decide: 5 at least for a stable median,
# and the full run stays near 2 minutes (the SVM row takes about 1 of them).
ROW_BUDGET_S = 4.0
MIN_REPEATS, MAX_REPEATS = 5, 11

# Threads of BLAS (numpy's and scipy's OpenBLAS) and OpenMP (scikit-learn's loss kernels)
# during the whole run. One, so that both libraries compute on the same single core (libsvm's
# and coordinate descent's loops are single-threaded anyway) and so that the times survive a
# busy machine: with OpenBLAS's default of one thread per core and another process holding a
# core, its threads wait for each other and the same fit swung from 0.5 s to 25 s (3-class
# LogisticRegression, 20000 x 50) between runs, differently for each library.
THREADS = 1

# The problems' hyper-parameters, given to both libraries.
RIDGE_ALPHA, LASSO_ALPHA = 1.0, 0.1
HUBER = {"epsilon": 1.35, "alpha": 1e-4}  # scikit-learn's defaults
C = 1.0  # LogisticRegression and the SVM
# The stopping tolerance of the precise scikit-learn fits: lossbook's default tol. Each
# library measures it differently (see the table's settings column), so the objective
# columns are what shows whether the precisions are comparable.
PRECISE_TOL = 1e-10
# Except for SVC: libsvm caches kernel values in float32, which stops its progress about 1e-7
# (relative) above the optimum. On this benchmark's data tol=1e-6 reached that floor in 4.0 s,
# while tol=1e-7 took 13.6 s (17.4 million iterations instead of 2.1) for the same objective.
SVC_TOL = 1e-6


# ------------------------------------------------------------------------------------ data
def regression_data(rng, shape, outliers: float = 0.0):
    """y = X w + 1 + N(0, 1) noise, half of w zero (so the lasso has features to drop); a
    fraction `outliers` of the targets gets an extra N(0, 20^2) error (for Huber)."""
    n, d = shape
    X = rng.standard_normal((n, d))
    y = X @ (rng.standard_normal(d) * (rng.random(d) < 0.5)) + 1.0 + rng.standard_normal(n)
    hit = rng.random(n) < outliers
    y[hit] += 20 * rng.standard_normal(hit.sum())
    return X, y


def classification_data(rng, shape, n_classes: int):
    """Labels 0..K-1 drawn from softmax(0.3 X W): a weak signal, so the classes overlap (and
    the unpenalized part of each problem has a finite minimizer)."""
    n, d = shape
    X = rng.standard_normal((n, d))
    p = softmax(0.3 * X @ rng.standard_normal((d, n_classes)), axis=1)
    y = np.minimum((rng.random(n)[:, None] > p.cumsum(axis=1)).sum(axis=1), n_classes - 1)
    return X, y


# ------------------------------------------------------------------------------ objectives
def method_objective(*attributes: str) -> Callable:
    """The lossbook class's objective(X, y) at another fit's parameters: a shallow copy of the
    fitted lossbook estimator (so the same hyper-parameters and classes_) with the other fit's
    `attributes` put in, so both fits are scored by the very same code."""

    def objective(ours, fitted, X, y) -> float:
        shadow = copy.copy(ours)
        for name in attributes:
            setattr(shadow, name, getattr(fitted, name))
        return shadow.objective(X, y)

    return objective


def logistic_objective(ours, fitted, X, y) -> float:
    """C sum_i l_i + |W|^2 / 2 (intercepts unpenalized), LogisticRegression's docstring: the
    binary l_i = softplus(f_i) - y_i f_i, the multinomial l_i = logsumexp(f_i) - f_i,y_i."""
    scores = X @ fitted.coef_.T + fitted.intercept_  # (n, 1) for 2 classes, (n, K) for K
    index = np.searchsorted(fitted.classes_, y)
    if scores.shape[1] == 1:
        f = scores[:, 0]
        losses = np.logaddexp(0.0, f) - index * f
    else:
        losses = logsumexp(scores, axis=1) - scores[np.arange(len(y)), index]
    return float(ours.C * losses.sum() + 0.5 * np.sum(fitted.coef_**2))


# ----------------------------------------------------------------------------------- cases
@dataclass(frozen=True)
class Reference:
    """A scikit-learn estimator and the keyword arguments it is built with."""

    cls: type
    kwargs: dict
    note: str = ""  # e.g. which defaults apply

    def make(self):
        return self.cls(**self.kwargs)

    def label(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"`{self.cls.__name__}({args})`" + (f" {self.note}" if self.note else "")


@dataclass(frozen=True)
class Case:
    """One table row: a lossbook estimator, its data, and its scikit-learn references."""

    name: str  # the lossbook class
    problem: str  # what the row fits, for the table
    kwargs: dict
    make_data: Callable  # (rng, shape) -> (X, y)
    seed: int  # of the data: rows of one problem against two solvers share theirs
    objective: Callable  # (fitted lossbook, any fitted estimator, X, y) -> float
    precise: Reference
    default: Reference | None = None  # None: scikit-learn's defaults are the precise settings
    shape: tuple = FULL_SHAPE

    def make(self):
        return getattr(models, self.name)(**self.kwargs)


def logistic_case(problem: str, n_classes: int, solver: str) -> Case:
    """LogisticRegression(C) on n_classes overlapping classes, against one scikit-learn
    solver: tight tol and a high max_iter, then its defaults."""
    precise_kwargs = {"C": C, "tol": PRECISE_TOL, "max_iter": 10_000}
    default_kwargs = {"C": C}
    if solver != "lbfgs":  # lbfgs is the default solver: name the others
        precise_kwargs = {"solver": solver, **precise_kwargs}
        default_kwargs = {"solver": solver, **default_kwargs}
    return Case(
        "LogisticRegression", problem, {"C": C},
        make_data=lambda rng, shape: classification_data(rng, shape, n_classes),
        seed=n_classes,  # 2 or 3: the same data for both solvers, other data than the rest
        objective=logistic_objective,
        precise=Reference(linear_model.LogisticRegression, precise_kwargs),
        default=Reference(linear_model.LogisticRegression, default_kwargs,
                          "(tol=1e-4, max_iter=100)"),
    )


# The lossbook class's objective method at the other fit's coef_ and intercept_.
LINEAR_OBJECTIVE = method_objective("coef_", "intercept_")

CASES = (
    Case("LinearRegression", "least squares", {}, make_data=regression_data, seed=0,
         objective=LINEAR_OBJECTIVE,
         precise=Reference(linear_model.LinearRegression, {}, "(direct: scipy's lstsq)")),
    Case("Ridge", "ridge", {"alpha": RIDGE_ALPHA}, make_data=regression_data, seed=0,
         objective=LINEAR_OBJECTIVE,
         precise=Reference(linear_model.Ridge, {"alpha": RIDGE_ALPHA},
                           "(solver='auto': direct)")),
    Case("Lasso", "lasso", {"alpha": LASSO_ALPHA}, make_data=regression_data, seed=0,
         objective=LINEAR_OBJECTIVE,
         precise=Reference(linear_model.Lasso,
                           {"alpha": LASSO_ALPHA, "tol": PRECISE_TOL, "max_iter": 100_000},
                           "(stops at a duality gap <= tol * mean of centred y^2)"),
         default=Reference(linear_model.Lasso, {"alpha": LASSO_ALPHA},
                           "(tol=1e-4, max_iter=1000)")),
    Case("HuberRegressor", "Huber, 5% outliers", HUBER,
         make_data=lambda rng, shape: regression_data(rng, shape, outliers=0.05), seed=1,
         objective=method_objective("coef_", "intercept_", "scale_"),
         precise=Reference(linear_model.HuberRegressor,
                           {**HUBER, "tol": PRECISE_TOL, "max_iter": 10_000},
                           "(L-BFGS-B: tol is its gtol; its ftol stays at scipy's default)"),
         default=Reference(linear_model.HuberRegressor, HUBER, "(tol=1e-5, max_iter=100)")),
    logistic_case("2 classes", 2, "lbfgs"),
    logistic_case("2 classes", 2, "newton-cholesky"),
    logistic_case("3 classes", 3, "lbfgs"),
    logistic_case("3 classes", 3, "newton-cholesky"),
    Case("SoftMarginSVM", "2 classes", {"C": C},
         make_data=lambda rng, shape: classification_data(rng, shape, 2), seed=4,
         objective=LINEAR_OBJECTIVE,
         precise=Reference(svm.SVC, {"kernel": "linear", "C": C, "tol": SVC_TOL},
                           "(libsvm: its float32 kernel cache stops it ~1e-7 above the "
                           "optimum, a smaller tol only adds iterations)"),
         default=Reference(svm.SVC, {"kernel": "linear", "C": C}, "(tol=1e-3)"),
         shape=SVM_SHAPE),
)


# ---------------------------------------------------------------------------------- timing
@dataclass
class Fits:
    """The latest fitted estimator and the warnings of any fit, per candidate name."""

    models: dict = field(default_factory=dict)
    warned: dict = field(default_factory=dict)


def fit_candidate(name: str, make: Callable, X, y, fits: Fits) -> Candidate:
    """`make().fit(X, y)`, keeping the fitted estimator (every fit is deterministic, so the
    last one stands for all) and the names of the warnings it raised, e.g. non-convergence."""
    fits.warned[name] = set()

    def run():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fits.models[name] = make().fit(X, y)
        fits.warned[name].update(w.category.__name__ for w in caught)
        return fits.models[name]

    return Candidate(name, run)


def run_case(case: Case, rng, quick: bool) -> dict:
    """Time the row's fits; rng, shared by all rows, is replaced by the row's own seed."""
    shape = QUICK_SHAPE if quick else case.shape
    X, y = case.make_data(np.random.default_rng(case.seed), shape)
    fits = Fits()
    makers = {"lossbook": case.make, "precise": case.precise.make}
    if case.default is not None:
        makers["default"] = case.default.make
    timed = [fit_candidate(name, make, X, y, fits) for name, make in makers.items()]
    # The warm-up round inside choose_repeats already leaves a fitted model per candidate.
    repeats = choose_repeats(timed, quick, budget_s=ROW_BUDGET_S,
                             min_repeats=MIN_REPEATS, max_repeats=MAX_REPEATS)
    seconds = median_times(timed, repeats)
    ours = fits.models["lossbook"]
    objectives = {name: case.objective(ours, fitted, X, y) for name, fitted in fits.models.items()}
    return {"case": case, "shape": shape, "seconds": seconds, "objectives": objectives,
            "warned": fits.warned, "repeats": repeats}


# ----------------------------------------------------------------------------------- table
def relative_excess(objectives: dict, name: str) -> float:
    """(lossbook's objective - the other's) / |the other's|: > 0 when lossbook's is worse."""
    theirs = objectives[name]
    return (objectives["lossbook"] - theirs) / abs(theirs)


def comparison_cells(row: dict, name: str) -> list[str]:
    """scikit-learn's time, lossbook / scikit-learn, and the objective difference."""
    if name not in row["seconds"]:
        return ["same as precise"] * 3
    seconds = row["seconds"]
    return [milliseconds(seconds[name]), f"{seconds['lossbook'] / seconds[name]:.2f}",
            f"{relative_excess(row['objectives'], name):+.1e}"]


def target_status(row: dict) -> str:
    ratio = row["seconds"]["lossbook"] / row["seconds"]["precise"]
    excess = relative_excess(row["objectives"], "precise")
    misses = []
    if excess > OBJECTIVE_RTOL:
        misses.append(f"objective {excess:.1e} worse")
    if ratio > MAX_TIME_RATIO:
        misses.append(f"time {ratio:.2f}x > {MAX_TIME_RATIO:g}x")
    return "no: " + "; ".join(misses) if misses else "yes"


def warnings_cell(warned: dict) -> str:
    found = [f"{name}: {', '.join(sorted(kinds))}" for name, kinds in warned.items() if kinds]
    return "; ".join(found) or "none"


def table_row(row: dict) -> str:
    case = row["case"]
    default = case.default.label() if case.default is not None else "(defaults = precise)"
    cells = [
        f"`{case.name}`",
        case.problem,
        " x ".join(map(str, row["shape"])),
        ", ".join(f"{k}={v!r}" for k, v in case.kwargs.items()) or "-",
        case.precise.label(),
        milliseconds(row["seconds"]["lossbook"]),
        *comparison_cells(row, "precise"),
        default,
        *comparison_cells(row, "default"),
        f"{row['objectives']['lossbook']:.10g}",
        str(row["repeats"]),
        warnings_cell(row["warned"]),
        target_status(row),
    ]
    return table_line(cells)


HEADER = (
    "| estimator | problem | n x d | hyper-parameters | scikit-learn, precise settings "
    "| lossbook ms | precise ms | lossbook / precise | objective: (lossbook - precise) / precise "
    "| scikit-learn defaults | defaults ms | lossbook / defaults "
    "| objective: (lossbook - defaults) / defaults | lossbook objective | repetitions "
    "| warnings | target met |"
)


def method_text() -> str:
    return (
        "Times are medians of interleaved repetitions (lossbook, scikit-learn precise, "
        "scikit-learn defaults, lossbook, ...) of `fit(X, y)` on the same float64 arrays, "
        "input validation included, after one warm-up round whose fits also give the "
        "objectives. Objective differences are relative; negative means lossbook's objective "
        f"is lower (better). BLAS and OpenMP are limited to {THREADS} thread(s) for the whole "
        "run (threadpoolctl), so both libraries compute on one core, as scikit-learn's "
        "coordinate descent (Lasso) and libsvm (SVC) do anyway, and the ratios do not swing "
        "with other processes' load, as OpenBLAS's multi-threaded calls do on a busy "
        "machine. Compare the ratios, measured in the same run; the absolute times depend on "
        "the machine's load."
    )


def targets_text() -> list[str]:
    return [f"- every row: lossbook's objective at most {OBJECTIVE_RTOL:g} (relative) above "
            "the precise scikit-learn fit's, and lossbook's fit time within "
            f"{MAX_TIME_RATIO:g}x of that fit's; the defaults columns are for information"]


def fitting_pools() -> ThreadpoolController:
    """The BLAS and OpenMP thread pools loaded (numpy's, scipy's, scikit-learn's), except
    torch's: torch fits nothing here, and the standard environment line reports its default."""
    loaded = ThreadpoolController()
    return loaded.select(filepath=[pool.filepath for pool in loaded.lib_controllers
                                   if "torch" not in Path(pool.filepath).parts])


def environment_lines(pools: ThreadpoolController) -> tuple[str, ...]:
    """scikit-learn's and scipy's versions, and the thread pools as limited during the run."""
    described = ", ".join(
        f"{pool['internal_api']} {pool['version'] or 'version unknown'} "
        f"({Path(pool['filepath']).name}): {pool['num_threads']} thread(s)"
        for pool in pools.info())
    return (f"- scikit-learn {sklearn.__version__}, scipy {scipy.__version__}",
            f"- thread pools during the run: {described}")


def main(argv=None) -> None:
    pools = fitting_pools()
    with pools.limit(limits=THREADS):
        run_benchmark(
            argv, doc=__doc__, title="lossbook estimator benchmark",
            default_output=DEFAULT_OUTPUT, cases=CASES, run_case=run_case, header=HEADER,
            table_row=table_row, targets=targets_text(), method=method_text(),
            extra_environment=environment_lines(pools),
        )


if __name__ == "__main__":
    main()
