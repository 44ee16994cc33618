"""What every widget shares: a figure redrawn in place as a PNG, and the box of controls.

Plain JupyterLab has ipywidgets but not ipympl, so a widget cannot hold a live matplotlib
canvas. Each widget renders its matplotlib `Figure` with Agg into PNG bytes and puts them in
an `ipywidgets.Output` as one image/png output, replaced at every control change: the
notebook shows an ordinary PNG, and no pyplot state is involved.

Speed. A full Agg draw of a two-panel figure costs 50-150 ms, mostly tick labels, legends
and contour lines, none of which change when a slider moves. `FigureView` therefore draws
the static part once, keeps its pixels, and at each change restores them and draws only the
moving artists (matplotlib's blitting, into the Agg buffer instead of onto a screen). A view
that changes something static (axis limits, a legend) calls `invalidate()` and the next
frame is drawn in full.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import math
import struct
import zlib
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 100
# zlib level 1 compresses a plot several times faster than the default level 6, for files
# ~10% larger: plots are mostly flat colour, which compresses well at any level.
PNG_COMPRESS_LEVEL = 1
# Room for a description such as "label smoothing" without ipywidgets truncating it.
STYLE = {"description_width": "130px"}
CONTROL_WIDTH = "360px"


class FigureView:
    """A matplotlib Figure that renders to PNG bytes, redrawing only its moving artists.

    animate(artist, ...) marks artists that change between frames; everything else is drawn
    once into a cached background. invalidate() drops that background (after a change of
    axis limits, labels or legend entries); png() returns the current frame.
    """

    def __init__(self, figure: Figure):
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self._moving: list = []
        self._background = None
        self.full_draws = 0  # how often the static part was drawn: a cost worth watching

    def animate(self, *artists):
        """Register artists that change between frames; returns the (first) artist."""
        for artist in artists:
            artist.set_animated(True)
            if not any(artist is a for a in self._moving):
                self._moving.append(artist)
        return artists[0]

    def forget(self, artist) -> None:
        """Stop drawing an artist that was removed from the figure (e.g. a replaced legend)."""
        self._moving = [a for a in self._moving if a is not artist]

    def invalidate(self) -> None:
        """The static part changed: draw everything at the next frame."""
        self._background = None

    def set_text(self, text, value: str) -> None:
        """Change a static text (a title, a label); redraw the background only if it changed.

        Text is the slowest thing Agg draws (each glyph is rendered on its own, about 0.1 ms
        per character): texts that change at every frame should be short.
        """
        if text.get_text() != value:
            text.set_text(value)
            self.invalidate()

    def draw(self) -> None:
        """Bring the Agg buffer up to date: restore the background, draw the moving artists."""
        if self._background is None:
            # canvas.draw() leaves out animated artists, so this is exactly the background.
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self.full_draws += 1
        else:
            self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for artist in sorted(self._moving, key=lambda a: a.get_zorder()):
            artist.draw(renderer)  # an invisible artist draws nothing

    def png(self) -> bytes:
        """The current frame as PNG bytes."""
        self.draw()
        return encode_png(np.asarray(self.canvas.buffer_rgba()))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data)))


def encode_png(rgba: np.ndarray) -> bytes:
    """A (height, width, 4) uint8 RGBA image as PNG bytes (8-bit RGBA, no row filters).

    Written out because the frame rate depends on it: Pillow's encoder (what savefig uses)
    tries a filter per row, which takes about three times longer on a plot and gains little,
    since a plot's flat colours compress well unfiltered. PNG layout: signature, IHDR,
    one IDAT (zlib stream of rows, each led by its filter type 0), IEND (RFC 2083).
    """
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 4 * width), dtype=np.uint8)
    rows[:, 1:] = rgba.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), PNG_COMPRESS_LEVEL))
            + _png_chunk(b"IEND", b""))


def new_figure(width: float, height: float) -> Figure:
    """A Figure outside pyplot: nothing is shown or kept alive behind the widget's back."""
    return Figure(figsize=(width, height), dpi=DPI)


def png_output(png: bytes, text: str) -> dict:
    """An Output widget's display_data entry holding one PNG (base64, as in nbformat)."""
    return {
        "output_type": "display_data",
        "data": {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": text},
        "metadata": {},
    }


def settle_limits(ax, which: str, low: float, high: float, *, pad: float = 0.05,
                  shrink: float = 0.5) -> bool:
    """Set ax's x or y limits to [low, high] plus padding, unless the current limits fit.

    The limits stay put while the data stay inside them and fill at least `shrink` of them,
    so that small changes do not make the axes jump (nor force a full redraw). On a log axis
    the comparison is made in decades. Returns True if the limits changed.
    """
    log = (ax.get_xscale() if which == "x" else ax.get_yscale()) == "log"
    forward = np.log10 if log else (lambda v: v)
    with np.errstate(divide="ignore", invalid="ignore"):
        low_t, high_t = float(forward(low)), float(forward(high))
    if not (math.isfinite(low_t) and math.isfinite(high_t)):
        return False
    if log:  # 10**x must stay a float: a diverging run's 1e300 is shown as "off the chart"
        low_t, high_t = max(low_t, -300.0), min(high_t, 300.0)
    span = high_t - low_t
    if span <= 0:
        span = 1.0 if low_t == 0 else abs(low_t)  # a flat curve: show a band around it
        low_t, high_t = low_t - span / 2, high_t + span / 2
    low_t, high_t = low_t - pad * span, high_t + pad * span
    current = ax.get_xlim() if which == "x" else ax.get_ylim()
    cur_low, cur_high = (float(forward(v)) for v in current)
    if cur_low <= low_t and high_t <= cur_high and high_t - low_t >= shrink * (cur_high - cur_low):
        return False
    new = (10**low_t, 10**high_t) if log else (low_t, high_t)
    (ax.set_xlim if which == "x" else ax.set_ylim)(*new)
    return True


def finite_range(*arrays) -> tuple[float, float]:
    """(min, max) over the finite entries of the arrays; (0, 1) if there are none."""
    values = np.concatenate([np.ravel(a) for a in arrays]) if arrays else np.empty(0)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0
    return float(values.min()), float(values.max())


# ------------------------------------------------------------------------------- controls
def _layout() -> widgets.Layout:
    return widgets.Layout(width=CONTROL_WIDTH)


def float_slider(description: str, value: float, low: float, high: float, step: float,
                 *, readout_format: str = ".2f") -> widgets.FloatSlider:
    return widgets.FloatSlider(value=value, min=low, max=high, step=step,
                               description=description, readout_format=readout_format,
                               style=STYLE, layout=_layout())


def log_slider(description: str, value: float, low: float, high: float,
               *, step: float = 0.05) -> widgets.FloatLogSlider:
    """A slider moving evenly in log10 (learning rates, C): one notch is the same factor."""
    return widgets.FloatLogSlider(value=value, base=10, min=math.log10(low),
                                  max=math.log10(high), step=step, readout_format=".3g",
                                  description=description, style=STYLE, layout=_layout())


def int_slider(description: str, value: int, low: int, high: int,
               step: int = 1) -> widgets.IntSlider:
    return widgets.IntSlider(value=value, min=low, max=high, step=step,
                             description=description, style=STYLE, layout=_layout())


def dropdown(description: str, options, value) -> widgets.Dropdown:
    return widgets.Dropdown(options=options, value=value, description=description,
                            style=STYLE, layout=_layout())


def show(control: widgets.Widget, visible: bool) -> None:
    """Hide or show a control without removing it (its value is kept)."""
    control.layout.display = None if visible else "none"


# ----------------------------------------------------------------------------- the container
class Explorer(widgets.VBox):
    """What every widget function returns: its controls above the figure (a PNG).

    At each control change the widget's pure function runs on the control values, its plot
    updates the moving artists of the figure, and the new PNG replaces the old one.

    Attributes, for notebooks and tests:
        controls: dict name -> control widget (set `.value` to change it);
        values: the current control values, a dict;
        state: the latest result of the pure function (what is plotted);
        figure: the matplotlib Figure, updated in place; plot: the object drawing it;
        png: the latest frame, PNG bytes; output: the ipywidgets.Output showing it;
        status: an HTML line, empty unless the last change was rejected (its message).
    compute(values) runs the pure function alone; update() recomputes from the controls and
    redraws; redraw() draws everything again from the current state.

    Built from: controls; compute(values) -> state, the pure function; plot, an object with
    `figure`, `view` (a FigureView) and `update(state)`; and optionally adjust(explorer,
    key), which keeps the controls consistent (ranges, visibility) after control `key`
    changed, "" at construction, before anything is computed.
    """

    def __init__(self, name: str, controls: dict, compute: Callable[[dict], object], plot,
                 *, adjust: Callable[[Explorer, str], None] | None = None, columns: int = 2):
        self.name = name
        self.controls = dict(controls)
        self.plot = plot
        self.figure = plot.figure
        self.state = None
        self.png = b""
        self.output = widgets.Output()
        self.status = widgets.HTML()
        self._compute = compute
        self._adjust = adjust
        self._quiet = False
        grid = widgets.GridBox(
            list(self.controls.values()),
            layout=widgets.Layout(grid_template_columns=f"repeat({columns}, {CONTROL_WIDTH})"),
        )
        super().__init__([grid, self.status, self.output])
        for key, control in self.controls.items():
            control.observe(functools.partial(self._changed, key), names="value")
        if adjust is not None:
            with self.quiet():
                adjust(self, "")
        self.update()

    def __repr__(self) -> str:
        # Short and free of model ids: this is the text/plain that a notebook stores.
        args = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{self.name}({args})"

    @property
    def values(self) -> dict:
        return {key: control.value for key, control in self.controls.items()}

    @contextlib.contextmanager
    def quiet(self):
        """Change several controls at once: no recomputation until the block ends."""
        previous, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = previous

    def _changed(self, key: str, change) -> None:
        if self._quiet:
            return
        if self._adjust is not None:
            with self.quiet():
                self._adjust(self, key)
        self.update()

    def compute(self, values: dict | None = None):
        """The pure function's result for these control values (default: the current ones),
        without touching the controls, the state or the figure."""
        return self._compute(self.values if values is None else {**self.values, **values})

    def update(self) -> None:
        """Recompute the state from the controls, update the figure, show the new frame."""
        try:
            state = self.compute()
        except (ValueError, FloatingPointError) as error:
            # A learner's impossible combination: say why, keep the last good figure.
            self.status.value = (f"<span style='color:#a00'>{html.escape(str(error))}</span>")
            return
        self.status.value = ""
        self.state = state
        self.plot.update(state)
        self.render()

    def redraw(self) -> None:
        """Draw the whole figure again, static part included."""
        self.plot.view.invalidate()
        self.render()

    def render(self) -> None:
        self.png = self.plot.view.png()
        self.output.outputs = (png_output(self.png, f"<{self.name} figure>"),)
