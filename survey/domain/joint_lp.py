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
    _built: Any = None

    def var(self, *name: Any) -> int:
        return self.index.setdefault(name, len(self.index))

    def row(
        self, coefficients: dict[int, float], low: float | None, high: float | None, tag: Tag | None
    ) -> None:
        self.rows.append((coefficients, low, high, tag))

    def solve(self, objective: Mapping[int, float]) -> tuple[float, list[float], list[Tag]]:
        """Maximise; the optimum, the point, and the tags of rows binding the optimum."""
        # Imported here so respondent workers never load SciPy (see stats.t_quantile).
        from scipy.optimize import linprog  # noqa: PLC0415

        matrix, limits, bounds, tags = self._matrix()
        cost = [0.0] * len(bounds)
        for j, c in objective.items():
            cost[j] = -c
        result = linprog(cost, A_ub=matrix, b_ub=limits, bounds=bounds, method="highs")
        if result.status != 0:
            return 0.0, [], []  # the truth is feasible, so this cannot happen; count as pinned
        binding = [
            tag
            for tag, dual in zip(tags, result.ineqlin.marginals, strict=True)
            if tag is not None and abs(dual) > 1e-9
        ]
        return float(-result.fun), list(result.x), binding

    def spread(self, targets: Sequence[Mapping[int, float]]) -> list[float]:
        """A world that puts at least one person outside as many targets as it can.

        Maximises the sum over targets of min(target, CLEAR), with one capped helper
        variable per target, so the optimum spreads people over every target it can
        rather than piling them into the cheapest one.
        """
        from scipy.optimize import linprog  # noqa: PLC0415
        from scipy.sparse import bmat, coo_matrix  # noqa: PLC0415

        matrix, limits, bounds, _ = self._matrix()
        size, extra = len(bounds), len(targets)
        data, rows, cols = [], [], []
        for t, target in enumerate(targets):
            for j, c in target.items():
                rows.append(t)
                cols.append(j)
                data.append(-c)
        left = coo_matrix((data, (rows, cols)), shape=(extra, size))
        right = coo_matrix(([1.0] * extra, (range(extra), range(extra))), shape=(extra, extra))
        stacked = bmat([[matrix, None], [left, right]], format="csr")
        cost = [0.0] * size + [-1.0] * extra
        result = linprog(
            cost,
            A_ub=stacked,
            b_ub=[*limits, *([0.0] * extra)],
            bounds=[*bounds, *([(0.0, 2 * CLEAR)] * extra)],
            method="highs",
        )
        return list(result.x[:size]) if result.status == 0 else []

    def _matrix(self) -> Any:
        from scipy.sparse import coo_matrix  # noqa: PLC0415

        if self._built is None:
            data: list[float] = []
            rows: list[int] = []
            cols: list[int] = []
            limits: list[float] = []
            tags: list[Tag | None] = []
            for coefficients, low, high, tag in self.rows:
                for sign, limit in ((1.0, high), (-1.0, None if low is None else -low)):
                    if limit is None:
                        continue
                    for j, c in coefficients.items():
                        rows.append(len(limits))
                        cols.append(j)
                        data.append(sign * c)
                    limits.append(limit)
                    tags.append(tag)
            size = len(self.index)
            matrix = coo_matrix((data, (rows, cols)), shape=(len(limits), size)).tocsr()
            bounds = [(0.0, self.upper.get(j)) for j in range(size)]
            self._built = (matrix, limits, bounds, tags)
        return self._built
