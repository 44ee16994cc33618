"""minimize, History and LivePlot: the loop does what a hand-written loop does, with
seeded shuffling, schedules and early stops."""

import matplotlib
import numpy as np
import pytest

from lossbook import losses
from lossbook.optim import SGD, Adam, schedules
from lossbook.optim.live import LivePlot
from lossbook.optim.minimize import minimize
from lossbook.risk import empirical_risk

matplotlib.use("Agg")
A = np.diag([1.0, 10.0])


def quadratic(params, batch=None):
    return 0.5 * params @ A @ params, A @ params


class Recorder:
    """An objective over n samples that remembers which batches it was asked for."""

    def __init__(self, n):
        self.n_samples, self.batches = n, []

    def value_and_grad(self, params, batch=None):
        if batch is not None:
            self.batches.append(np.array(batch))
        return quadratic(params)


def test_full_batch_matches_a_hand_written_loop():
    history = minimize(quadratic, np.array([1.0, 1.0]), Adam(lr=0.1), steps=25)
    opt, x = Adam(lr=0.1), np.array([1.0, 1.0])
    for t in range(25):
        value, grad = quadratic(x)
        assert history.loss[t] == value
        assert history.grad_norm[t] == pytest.approx(np.linalg.norm(grad), rel=1e-15)
        x = opt.step(x, grad)
        np.testing.assert_array_equal(history.params[t + 1], x)
    assert history.steps == 25 and len(history.params) == 26
    assert history.epoch_loss[:-1] == history.loss[1:]
    assert history.epoch_loss[-1] == quadratic(history.x)[0]
    assert history.message == "finished 25 steps" and history.method == "Adam(lr=0.1, " \
        "betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, amsgrad=False)"


@pytest.mark.parametrize("batch_size", [1, 4, 7])
def test_each_epoch_is_a_fresh_seeded_shuffle_covering_every_sample_once(batch_size):
    rec = Recorder(10)
    minimize(rec, np.ones(2), SGD(lr=0.01), epochs=3, batch_size=batch_size, seed=5)
    per_epoch = -(-10 // batch_size)
    assert len(rec.batches) == 3 * per_epoch
    rng = np.random.default_rng(5)
    for epoch in range(3):
        batches = rec.batches[epoch * per_epoch:(epoch + 1) * per_epoch]
        np.testing.assert_array_equal(np.concatenate(batches), rng.permutation(10))
        assert all(len(b) == batch_size for b in batches[:-1])


def test_same_seed_same_run_other_seed_other_run():
    X = np.random.default_rng(0).normal(size=(30, 2))
    risk = empirical_risk(losses.mse, X, X @ np.array([1.0, 2.0]))
    runs = [minimize(risk, risk.model.init(), SGD(lr=0.05), epochs=2, batch_size=5, seed=s)
            for s in (1, 1, 2)]
    np.testing.assert_array_equal(runs[0].x["w"], runs[1].x["w"])
    assert not np.array_equal(runs[0].x["w"], runs[2].x["w"])
    assert len(runs[0].epoch_loss) == 2


def test_steps_caps_a_stochastic_run():
    history = minimize(Recorder(10), np.ones(2), SGD(lr=0.01), epochs=5, batch_size=2,
                       steps=7)
    assert history.steps == 7


def test_schedule_sets_the_learning_rate_per_step_or_per_epoch():
    schedule = schedules.step(0.1, step_size=2, gamma=0.5)
    history = minimize(quadratic, np.ones(2), SGD(), steps=6, schedule=schedule)
    assert history.lr == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    history = minimize(Recorder(4), np.ones(2), SGD(), epochs=3, batch_size=2,
                       schedule=schedule, schedule_per="epoch")
    assert history.lr == [0.1, 0.1, 0.1, 0.1, 0.05, 0.05]


def test_mini_batch_descent_reaches_the_least_squares_solution():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.normal(size=200)
    risk = empirical_risk(losses.mse, X, y)
    history = minimize(risk, risk.model.init(), SGD(lr=0.05, momentum=0.5), epochs=60,
                       batch_size=20, schedule=schedules.inverse_time(0.05, 0.01))
    design = np.column_stack([X, np.ones(200)])
    exact = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(np.append(history.x["w"], history.x["b"]), exact, atol=5e-3)


def test_divergence_stops_the_run_and_says_so():
    history = minimize(lambda p, b: (np.exp(p @ p), 2 * p * np.exp(p @ p)), np.ones(2),
                       SGD(lr=1.0), steps=50)
    assert history.message.startswith("diverged") and history.steps < 50


def test_callback_can_stop_the_run():
    history = minimize(quadratic, np.ones(2), SGD(lr=0.1), steps=100,
                       callback=lambda h: h.loss[-1] < 0.1)
    assert history.message.startswith("stopped by the callback") and history.loss[-1] < 0.1
    assert min(history.loss[:-1]) >= 0.1


def test_history_plot_and_path():
    history = minimize(quadratic, np.ones(2), SGD(lr=0.1), steps=10)
    ax = history.plot()
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "loss"
    assert len(ax.lines[0].get_xdata()) == 10
    assert history.path().shape == (11, 2)
    with pytest.raises(ValueError, match="per must be"):
        history.plot(per="batch")


def test_live_plot_redraws_every_few_steps(monkeypatch):
    shown = []

    class Handle:
        def update(self, figure):
            shown.append(figure.axes[0].get_title())

    def fake_display(figure, display_id):
        shown.append(figure.axes[0].get_title())
        return Handle()

    monkeypatch.setattr("IPython.display.display", fake_display)
    live = LivePlot(every=4)
    minimize(quadratic, np.ones(2), SGD(lr=0.1), steps=10, live=live)
    assert [t.split(",")[0] for t in shown] == ["training loss: step 4", "training loss: step 8",
                                                 "training loss: step 10"]
    with pytest.raises(ValueError, match="every"):
        LivePlot(every=0)


@pytest.mark.parametrize("kwargs, message", [
    ({}, "needs steps"), ({"batch_size": 2, "epochs": 1}, "n_samples"),
    ({"batch_size": 2, "n_samples": 4}, "needs epochs"), ({"steps": 0}, "steps must be"),
    ({"steps": 3, "schedule_per": "batch"}, "schedule_per"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        minimize(quadratic, np.ones(2), SGD(), **kwargs)
    with pytest.raises(TypeError, match="lossbook.optim optimizer"):
        minimize(quadratic, np.ones(2), "sgd", steps=3)


def test_a_loss_that_overflows_is_recorded_as_divergence_not_an_exception():
    X = np.array([[1.0], [2.0], [3.0]])
    risk = empirical_risk(losses.mse, X, np.array([1.0, 2.0, 3.0]))
    history = minimize(risk, risk.model.init(), SGD(lr=10.0), steps=500)
    assert history.message.startswith("diverged") and history.loss[-1] == float("inf")
    assert history.steps < 500
