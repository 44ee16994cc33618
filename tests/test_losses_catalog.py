"""The catalog lists every loss DESIGN.md requires, with complete metadata, as a table."""

import numpy as np
import pytest

from lossbook import losses

REQUIRED = {
    "mse", "mae", "huber", "log_cosh", "quantile", "epsilon_insensitive",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "hinge",
    "squared_hinge", "multiclass_hinge", "logistic", "exponential", "zero_one", "focal",
    "kl_divergence", "poisson_nll", "gaussian_nll",
}
DEFAULTS = {"huber": {"delta": 1.0}, "quantile": {"tau": 0.5},
            "epsilon_insensitive": {"epsilon": 0.1}, "focal": {"alpha": 0.25, "gamma": 2.0}}


def test_catalog_has_one_row_per_required_loss():
    rows = losses.catalog()
    assert sorted(r["name"] for r in rows) == sorted(REQUIRED)
    for row in rows:
        assert getattr(losses, row["name"]).name == row["name"]
        assert row["task"] in ("regression", "binary", "multiclass", "distribution")
        assert isinstance(row["convex"], bool) and isinstance(row["differentiable"], bool)
        assert isinstance(row["robust"], bool) and row["formula"] and row["targets"]


@pytest.mark.parametrize("name, defaults", sorted(DEFAULTS.items()))
def test_documented_defaults(name, defaults):
    row = next(r for r in losses.catalog() if r["name"] == name)
    assert {k: row["params"][k] for k in defaults} == defaults


def test_defaults_are_the_ones_used():
    y, f = np.zeros(3), np.array([0.5, 2.0, -3.0])
    assert losses.huber(y, f) == losses.huber(y, f, delta=1.0)
    assert losses.quantile(y, f) == losses.quantile(y, f, tau=0.5)
    assert losses.epsilon_insensitive(y, f) == losses.epsilon_insensitive(y, f, epsilon=0.1)


def test_likelihood_losses_name_their_model():
    named = {r["name"] for r in losses.catalog() if r["likelihood"]}
    assert {"mse", "mae", "binary_cross_entropy_with_logits", "cross_entropy", "poisson_nll",
            "gaussian_nll"} <= named
    assert "hinge" not in named and "zero_one" not in named


def test_catalog_renders_as_a_table_and_filters():
    rows = losses.catalog()
    html = rows._repr_html_()
    assert html.count("<tr>") == len(rows) + 1 and "huber" in html
    assert "binary_cross_entropy_with_logits" in repr(rows)
    binary = rows.where(task="binary", convex=True)
    assert {r["name"] for r in binary} == {
        "binary_cross_entropy", "binary_cross_entropy_with_logits", "hinge", "squared_hinge",
        "logistic", "exponential"}


def test_every_loss_has_a_docstring_with_its_formula_and_a_repr():
    for loss in losses.ALL_LOSSES:
        assert loss.__doc__ and ("l = " in loss.__doc__ or "l_i" in loss.__doc__), loss.name
        assert repr(loss).startswith(f"<loss {loss.name}(")


def test_where_rejects_an_unknown_column_and_lists_the_columns():
    with pytest.raises(ValueError, match="unknown column.*taks.*the columns are: name, task"):
        losses.catalog().where(taks="binary")
