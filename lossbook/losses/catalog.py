"""`catalog()`: the table of every loss and its properties, shown in chapter 02."""

from __future__ import annotations

import html

COLUMNS = ("name", "task", "formula", "targets", "params", "convex", "differentiable",
           "robust", "likelihood")


class Catalog(list):
    """A list of rows (dicts, one per loss) that renders as a table in a notebook."""

    def _cell(self, row, column):
        value = row[column]
        if column == "params":
            return ", ".join(f"{k}={v!r}" for k, v in value.items()) or "-"
        if column == "formula":
            return f"${value}$"
        if isinstance(value, bool):
            return "yes" if value else "no"
        return "-" if value is None else str(value)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{c}</th>" for c in COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(self._cell(r, c))}</td>" for c in COLUMNS)
            + "</tr>"
            for r in self
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __repr__(self) -> str:
        shown = ("name", "task", "convex", "differentiable", "robust")
        widths = {c: max(len(c), *(len(self._cell(r, c)) for r in self)) for c in shown}
        lines = ["  ".join(c.ljust(widths[c]) for c in shown)]
        lines += ["  ".join(self._cell(r, c).ljust(widths[c]) for c in shown) for r in self]
        return "\n".join(line.rstrip() for line in lines)

    def where(self, **conditions) -> Catalog:
        """The rows whose columns equal the given values, e.g. where(task="binary", convex=True)."""
        unknown = sorted(set(conditions) - set(COLUMNS))
        if unknown:
            raise ValueError(
                f"catalog().where: unknown column(s) {', '.join(unknown)}; "
                f"the columns are: {', '.join(COLUMNS)}"
            )
        return Catalog(r for r in self if all(r[k] == v for k, v in conditions.items()))


def catalog() -> Catalog:
    """Every loss of `lossbook.losses` with its metadata, one row (a dict) per loss.

    Columns: name, task, formula (LaTeX), targets (label convention), params (defaults),
    convex, differentiable, robust, likelihood.

    robust means: the derivative with respect to y_pred is bounded, so one outlier's pull on
    the fit is capped (Huber's sense). It depends on the parametrization: cross-entropy on
    logits is robust in this sense, the same loss on probabilities is not.
    """
    from . import ALL_LOSSES

    return Catalog(
        {
            "name": loss.name,
            "task": loss.task,
            "formula": loss.latex,
            "targets": loss.targets,
            "params": dict(loss.params),
            "convex": loss.convex,
            "differentiable": loss.differentiable,
            "robust": loss.robust,
            "likelihood": loss.likelihood,
        }
        for loss in ALL_LOSSES
    )
