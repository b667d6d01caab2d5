"""The joint check's linear programme: rows with bounds and tags, solved by HiGHS.

Kept apart from `joint_audit` (which builds the rows from a wave's releases) so that the
solver plumbing is in one place. Each row may carry a tag naming the released figure it
comes from, so an optimum's binding rows (non-zero duals) say which figure proves it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from survey.domain.groups import GroupKey

# Cleared only if the programme can put at least this many of an atom outside the bucket:
# one person, less the same hair of solver tolerance a reader's programme allows.
CLEAR = 1.0 - 1e-6
Tag = tuple[str, int, GroupKey, str]  # ("magnitude" | "bands", release, group, scale key)


@dataclass
class Programme:
    """Variables by name, rows with optional bounds and tags; maximised with HiGHS."""

    index: dict[tuple[Any, ...], int] = field(default_factory=dict)
    rows: list[tuple[dict[int, float], float | None, float | None, Tag | None]] = field(
        default_factory=list
    )
    upper: dict[int, float] = field(default_factory=dict)
    _solver: Any = None

    def var(self, *name: Any) -> int:
        return self.index.setdefault(name, len(self.index))

    def row(
        self, coefficients: dict[int, float], low: float | None, high: float | None, tag: Tag | None
    ) -> None:
        self.rows.append((coefficients, low, high, tag))

    def solve(self, objective: Mapping[int, float]) -> tuple[float, list[float], list[Tag]]:
        """Maximise; the optimum, the point, and the tags of rows binding the optimum.

        One HiGHS model per programme, kept between calls: only the objective changes, so
        each solve starts from the last optimal basis (the per-candidate solves of the joint
        check differ in a handful of costs).
        """
        import highspy  # noqa: PLC0415  (staff side only, like SciPy)

        solver, tags = self._model()
        size = len(self.index)
        costs = [0.0] * size
        for j, c in objective.items():
            costs[j] = c
        solver.changeColsCost(size, list(range(size)), costs)
        solver.run()
        if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return 0.0, [], []  # the truth is feasible, so this cannot happen; count as pinned
        solution = solver.getSolution()
        binding = [
            tag
            for tag, dual in zip(tags, solution.row_dual, strict=True)
            if tag is not None and abs(dual) > 1e-9
        ]
        return float(solver.getInfo().objective_function_value), list(solution.col_value), binding

    def _model(self) -> tuple[Any, list[Tag | None]]:
        """The HiGHS model of these rows, built once (rows are only added before solving)."""
        if self._solver is None:
            import highspy  # noqa: PLC0415

            infinity = highspy.kHighsInf
            starts, columns, values = [0], list[int](), list[float]()
            lows, highs, tags = list[float](), list[float](), list[Tag | None]()
            for coefficients, low, high, tag in self.rows:
                columns += coefficients.keys()
                values += coefficients.values()
                starts.append(len(columns))
                lows.append(-infinity if low is None else low)
                highs.append(infinity if high is None else high)
                tags.append(tag)
            size = len(self.index)
            model = highspy.HighsLp()
            model.num_col_, model.num_row_ = size, len(self.rows)
            model.col_cost_ = [0.0] * size
            model.col_lower_ = [0.0] * size
            model.col_upper_ = [self.upper.get(j, infinity) for j in range(size)]
            model.row_lower_, model.row_upper_ = lows, highs
            model.sense_ = highspy.ObjSense.kMaximize
            model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
            model.a_matrix_.start_ = starts
            model.a_matrix_.index_ = columns
            model.a_matrix_.value_ = values
            solver = highspy.Highs()  # type: ignore[no-untyped-call]
            solver.setOptionValue("output_flag", False)
            solver.passModel(model)
            self._solver = (solver, tags)
        solver, tags = self._solver
        return solver, tags

    def spread(self, targets: Sequence[Mapping[int, float]]) -> list[float]:
        """A world that puts at least one person outside as many targets as it can.

        Maximises the sum over targets of min(target, CLEAR), with one capped helper
        variable per target, so the optimum spreads people over every target it can
        rather than piling them into the cheapest one. The helpers and their rows are
        added to the kept model for this solve and taken away after it.
        """
        import highspy  # noqa: PLC0415

        solver, _ = self._model()
        size, extra = len(self.index), len(targets)
        solver.changeColsCost(size, list(range(size)), [0.0] * size)
        solver.addCols(extra, [1.0] * extra, [0.0] * extra, [2 * CLEAR] * extra, 0, [], [], [])
        starts: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        for t, target in enumerate(targets):
            starts.append(len(columns))
            columns.append(size + t)
            values.append(1.0)
            columns += target.keys()
            values += (-c for c in target.values())
        rows = solver.getNumRow()
        infinity = highspy.kHighsInf
        solver.addRows(
            extra, [-infinity] * extra, [0.0] * extra, len(columns), starts, columns, values
        )
        solver.run()
        found = []
        if solver.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            found = list(solver.getSolution().col_value[:size])
        solver.deleteRows(extra, list(range(rows, rows + extra)))
        solver.deleteCols(extra, list(range(size, size + extra)))
        return found
