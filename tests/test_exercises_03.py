"""Chapter 03's exercises: the references agree with scipy's distributions and with a
general-purpose optimizer, other correct forms pass, other wrong ones fail with a useful
message, and the hidden cases cover the shapes the statements allow.

(That each listed misconception is caught with its own hint is tested for every exercise
by tests/test_exercises.py.)"""

import numpy as np
import pytest
from scipy import optimize, special, stats

from lossbook.exercises import EXERCISES, evaluate
from lossbook.exercises._core import PROPERTY_CREDIT, plan

GAUSSIAN = EXERCISES["03.gaussian_nll"]
SIGMA = EXERCISES["03.sigma_mle"]
POISSON = EXERCISES["03.poisson_nll"]
DECOMPOSITION = EXERCISES["03.cross_entropy_decomposition"]
MAP = EXERCISES["03.map_weights"]


def all_cases(exercise, seed=0):
    return [case.args for case in plan(exercise, seed) if case.kind != "property"]


# ------------------------------------------------------- references against scipy / optimizers
def test_gaussian_reference_is_minus_the_mean_scipy_log_density():
    for y, mu, sigma in all_cases(GAUSSIAN):
        want = -np.mean(stats.norm.logpdf(y, loc=mu, scale=sigma))
        assert GAUSSIAN.reference(y, mu, sigma) == pytest.approx(want, rel=1e-12)


def test_sigma_reference_maximizes_the_gaussian_likelihood():
    for y, y_pred in all_cases(SIGMA):
        def nll(log_s, y=y, y_pred=y_pred):
            return -np.sum(stats.norm.logpdf(y, loc=y_pred, scale=np.exp(log_s)))

        best = optimize.minimize_scalar(nll, bracket=(-3.0, 3.0), tol=1e-12)
        assert SIGMA.reference(y, y_pred) == pytest.approx(np.exp(best.x), rel=1e-6)


def test_poisson_reference_plus_log_factorial_is_the_scipy_nll():
    for y, x in all_cases(POISSON):
        exact = -np.mean(stats.poisson.logpmf(y, np.exp(x)))
        got = POISSON.reference(y, x) + np.mean(special.gammaln(y + 1))
        assert got == pytest.approx(exact, rel=1e-12)


def test_decomposition_reference_agrees_with_scipy_entropy_and_adds_up():
    for p, q in all_cases(DECOMPOSITION) + [DECOMPOSITION.properties[0].cases[0]]:
        cross, entropy, kl = DECOMPOSITION.reference(p, q)
        np.testing.assert_allclose(entropy, stats.entropy(p, axis=1), rtol=1e-12)
        np.testing.assert_allclose(kl, stats.entropy(p, q, axis=1), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(cross, entropy + kl, rtol=1e-12)


def test_decomposition_of_one_hot_rows_is_minus_log_q_of_the_label():
    p, q = DECOMPOSITION.properties[0].cases[0]
    cross, entropy, kl = DECOMPOSITION.reference(p, q)
    assert cross[0] == pytest.approx(-np.log(q[0, 0])) and entropy[0] == 0
    assert kl[0] == pytest.approx(-np.log(q[0, 0]))


def test_map_reference_maximizes_the_posterior_written_with_scipy():
    for X, y, sigma, tau in all_cases(MAP):
        def neg_log_posterior(w, X=X, y=y, sigma=sigma, tau=tau):
            return -(np.sum(stats.norm.logpdf(y, loc=X @ w, scale=sigma))
                     + np.sum(stats.norm.logpdf(w, scale=tau)))

        found = optimize.minimize(neg_log_posterior, np.zeros(X.shape[1]), method="BFGS",
                                  options={"gtol": 1e-10}).x
        np.testing.assert_allclose(MAP.reference(X, y, sigma, tau), found, atol=1e-5)


def test_map_reference_is_scikit_learns_ridge_with_alpha_sigma2_over_tau2():
    from sklearn.linear_model import Ridge

    for X, y, sigma, tau in all_cases(MAP):
        sk = Ridge(alpha=sigma**2 / tau**2, fit_intercept=False, solver="svd").fit(X, y)
        np.testing.assert_allclose(MAP.reference(X, y, sigma, tau), sk.coef_, rtol=1e-9,
                                   atol=1e-12)


# ---------------------------------------------------------- other correct forms also pass
def test_other_correct_implementations_pass():
    def gaussian(y, mu, sigma):  # the log(2 pi sigma^2) / 2 form
        return np.mean((y - mu) ** 2 / (2 * np.square(sigma)) + np.log(2 * np.pi
                                                                      * np.square(sigma)) / 2)

    def sigma(y, y_pred):
        return np.linalg.norm(y - y_pred) / np.sqrt(len(y))

    def poisson(y, x):
        return np.mean(np.exp(x)) - np.dot(y, x) / len(y)

    def decomposition(p, q):  # KL from the other two, as a stacked array
        cross = -np.sum(special.xlogy(p, q), axis=1)
        entropy = -np.sum(special.xlogy(p, p), axis=1)
        return np.stack([cross, entropy, cross - entropy])

    def map_weights(X, y, s, t):  # least squares on the data augmented by the prior
        d = X.shape[1]
        X_aug = np.vstack([X, (s / t) * np.eye(d)])
        return np.linalg.lstsq(X_aug, np.concatenate([y, np.zeros(d)]), rcond=None)[0]

    for exercise, fn in [(GAUSSIAN, gaussian), (SIGMA, sigma), (POISSON, poisson),
                         (DECOMPOSITION, decomposition), (MAP, map_weights)]:
        result = evaluate(exercise, fn)
        assert result.passed, (exercise.id, result.message)
        assert evaluate(exercise, fn, seed=12345).passed, exercise.id


# --------------------------------------------------------- other wrong answers: useful failure
def test_a_scalar_only_sigma_fails_on_the_public_array_case_with_its_inputs():
    def first_sigma_only(y, mu, sigma):
        s = np.ravel(sigma)[0]
        return np.mean((y - mu) ** 2 / (2 * s**2) + np.log(s) + 0.5 * np.log(2 * np.pi))

    result = evaluate(GAUSSIAN, first_sigma_only)
    assert not result and result.score == 0
    assert "for the inputs" in result.message and "expected" in result.message


def test_naive_zero_log_zero_earns_partial_credit_and_the_0log0_hint():
    def naive(p, q):
        cross = -np.sum(p * np.log(q), axis=1)
        entropy = -np.sum(p * np.log(p), axis=1)
        return cross, entropy, np.sum(p * np.log(p / q), axis=1)

    result = evaluate(DECOMPOSITION, naive)
    assert result.status == "failed" and result.score == PROPERTY_CREDIT
    assert "0 log 0 = 0" in result.message


def test_parts_in_the_wrong_order_fail():
    def shuffled(p, q):
        cross, entropy, kl = DECOMPOSITION.reference(p, q)
        return entropy, cross, kl

    result = evaluate(DECOMPOSITION, shuffled)
    assert not result and "for the inputs" in result.message


def test_the_rate_instead_of_the_log_rate_is_named_even_though_it_gives_nan_later():
    def rate(y, x):
        return np.mean(x - y * np.log(x))  # nan on the second public case (x < 0)

    result = evaluate(POISSON, rate)
    assert not result and "log-rate" in result.message


def test_a_map_with_an_unpenalized_intercept_fails():
    def with_intercept(X, y, sigma, tau):
        Xc, yc = X - X.mean(axis=0), y - y.mean()
        return np.linalg.solve(Xc.T @ Xc + sigma**2 / tau**2 * np.eye(X.shape[1]), Xc.T @ yc)

    result = evaluate(MAP, with_intercept)
    assert not result and result.score == 0


def test_the_unbiased_sigma_is_caught_on_the_public_case_not_only_hidden_ones():
    def unbiased(y, y_pred):
        r = y - y_pred  # two mistakes: centred, as np.std(r, ddof=1), and n - 1
        return np.sqrt(np.sum((r - r.mean()) ** 2) / (len(r) - 1))

    result = evaluate(SIGMA, unbiased)
    assert not result and "for the inputs" in result.message


# ------------------------------------------------------------------- hidden cases are varied
def test_hidden_cases_cover_sizes_and_both_forms_of_sigma():
    rng = np.random.default_rng(7)
    cases = GAUSSIAN.hidden_cases(rng)
    assert {np.ndim(sigma) for _, _, sigma in cases} == {0, 1}
    assert len({len(y) for y, _, _ in cases}) >= 4 and min(len(y) for y, _, _ in cases) == 1


def test_hidden_sigma_cases_have_residuals_with_nonzero_mean_and_a_single_sample():
    cases = SIGMA.hidden_cases(np.random.default_rng(7))
    assert min(len(y) for y, _ in cases) == 1
    assert any(abs(np.mean(p - y)) > 0.1 for y, p in cases if len(y) > 1)


def test_hidden_poisson_cases_include_zero_counts_and_negative_log_rates():
    cases = POISSON.hidden_cases(np.random.default_rng(7))
    assert any(np.all(y == 0) for y, _ in cases)
    assert any(np.any(x < 0) for _, x in cases)
    assert all(np.all(y == np.round(y)) and np.all(y >= 0) for y, _ in cases)


def test_hidden_decomposition_cases_are_distributions_of_several_shapes():
    cases = DECOMPOSITION.hidden_cases(np.random.default_rng(7))
    assert len({p.shape for p, _ in cases}) == len(cases)
    for p, q in cases:
        np.testing.assert_allclose(p.sum(axis=1), 1)
        np.testing.assert_allclose(q.sum(axis=1), 1)
        assert np.all(q > 0)


def test_hidden_map_cases_include_more_features_than_samples():
    cases = MAP.hidden_cases(np.random.default_rng(7))
    assert any(X.shape[1] > X.shape[0] for X, *_ in cases)
    assert any(X.shape[1] == 1 for X, *_ in cases)


@pytest.mark.parametrize("exercise", [GAUSSIAN, SIGMA, POISSON, DECOMPOSITION, MAP],
                         ids=lambda e: e.id)
def test_hidden_cases_depend_on_the_seed(exercise):
    first = exercise.hidden_cases(np.random.default_rng(1))
    second = exercise.hidden_cases(np.random.default_rng(2))
    assert not all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
                   for a, b in zip(first, second, strict=True))
