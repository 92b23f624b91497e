"""Statistical disclosure control for published tables.

Rules (docs/SECURITY.md, "Public numbers"):

* primary suppression: a count from 1 to 4 is published as "<5";
* secondary (complementary) suppression: more cells are hidden until no hidden
  count can be worked out from the published ones, the margins (row, column and
  grand totals), and the bounds known for hidden cells (a "<5" cell is 1..4,
  any other hidden cell is ≥ 0).

A table is a set of cells and additive relations ``total = sum(parts)``.
``protect()`` grows the hidden set until an attacker using (a) exact linear
algebra over the relations, (b) interval reasoning over the bounds and, for
two-way tables, (c) an exact search for another fitting table (alternating
cycles, ``_pinned_in_grid``) can pin no hidden cell to one value. Tables published for the same period must share no
relation that links their hidden cells (see ``sigap.stats.public``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

SMALL_MAX = 4
UNBOUNDED = 10**12


@dataclass
class Table:
    cells: dict[str, int]
    relations: list[tuple[str, list[str]]] = field(default_factory=list)  # (total, parts)
    small: set[str] = field(default_factory=set)  # primary suppressed (1..4)
    hidden: set[str] = field(default_factory=set)  # primary + complementary
    # For two-way tables: the cell name at (row, column), margins included as
    # the "total" row and column, so complements can be chosen as rectangles.
    layout: dict[tuple[str, str], str] = field(default_factory=dict)

    def published(self, cell: str) -> int | str | None:
        if cell in self.small:
            return "<5"
        if cell in self.hidden:
            return None
        return self.cells[cell]


def _determined_by_algebra(table: Table) -> set[str]:
    """Hidden cells whose value follows exactly from the published cells and relations."""
    unknowns = sorted(table.hidden)
    if not unknowns:
        return set()
    index = {name: i for i, name in enumerate(unknowns)}
    rows: list[list[Fraction]] = []
    for total, parts in table.relations:
        row = [Fraction(0)] * len(unknowns)
        involved = False
        for name, sign in [(total, -1)] + [(p, 1) for p in parts]:
            if name in index:
                row[index[name]] += sign
                involved = True
        if involved:
            rows.append(row)
    # Reduced row echelon form; a hidden cell is determined when some row of the
    # reduced matrix has a single non-zero entry in its column.
    pivot_row = 0
    n = len(unknowns)
    for col in range(n):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][col] != 0), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        pivot = rows[pivot_row][col]
        rows[pivot_row] = [v / pivot for v in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
    determined = set()
    for row in rows[:pivot_row]:
        nonzero = [i for i, v in enumerate(row) if v != 0]
        if len(nonzero) == 1:
            determined.add(unknowns[nonzero[0]])
    return determined


def bounds(table: Table) -> dict[str, tuple[int, int]]:
    """What an attacker can say about each hidden cell from bounds and relations."""
    known = {c: (v, v) for c, v in table.cells.items() if c not in table.hidden}
    lo_hi: dict[str, tuple[int, int]] = dict(known)
    for cell in table.hidden:
        lo_hi[cell] = (1, SMALL_MAX) if cell in table.small else (0, UNBOUNDED)
    changed = True
    while changed:
        changed = False
        for total, parts in table.relations:
            t_lo, t_hi = lo_hi[total]
            p_lo = sum(lo_hi[p][0] for p in parts)
            p_hi = sum(lo_hi[p][1] for p in parts)
            new_total = (max(t_lo, p_lo), min(t_hi, p_hi))
            if new_total != (t_lo, t_hi):
                lo_hi[total] = new_total
                changed = True
            t_lo, t_hi = lo_hi[total]
            for p in parts:
                lo, hi = lo_hi[p]
                others_lo = p_lo - lo
                others_hi = p_hi - hi
                new = (max(lo, t_lo - others_hi), min(hi, t_hi - others_lo))
                if new != (lo, hi):
                    lo_hi[p] = new
                    changed = True
                    p_lo, p_hi = p_lo - lo + new[0], p_hi - hi + new[1]
    return lo_hi


def _pinned_in_grid(table: Table) -> set[str]:
    """Hidden cells of a two-way table that only one value fits: exact, by alternating cycles.

    Give the margins a minus sign ((r, total) and (total, c) as -value, the grand
    total as +value): then every row and column of the table with its margins
    sums to zero, so the tables an attacker must consider are the circulations
    on the bipartite graph of rows and columns, one edge per hidden cell, within
    the bounds known for each (1..4 for "<5", 0 and up for any other hidden
    cell). The constraint matrix is totally unimodular, so the difference of two
    fitting tables splits into simple cycles that each fit on their own: a hidden
    cell can take another value exactly when a unit push around some cycle
    through it stays within every bound. Interval reasoning alone misses cases
    a case split finds (a "<5" cell pinned to 4 by two margins together).
    """
    def sign(rc: tuple[str, str]) -> int:
        return -1 if (rc[0] == "total") != (rc[1] == "total") else 1

    def fits(cell: str, change: int) -> bool:
        value = table.cells[cell] + change
        return 1 <= value <= SMALL_MAX if cell in table.small else value >= 0

    # Arcs of the residual graph: row -> column raises the edge's signed value by one,
    # column -> row lowers it.
    arcs: list[tuple[tuple[str, str], tuple[str, str], str]] = []
    for rc, cell in table.layout.items():
        if cell not in table.hidden:
            continue
        row, col = ("r", rc[0]), ("c", rc[1])
        if fits(cell, sign(rc)):
            arcs.append((row, col, cell))
        if fits(cell, -sign(rc)):
            arcs.append((col, row, cell))

    def reaches(start: tuple[str, str], goal: tuple[str, str], without: str) -> bool:
        seen, frontier = {start}, [start]
        while frontier:
            node = frontier.pop()
            if node == goal:
                return True
            for tail, head, cell in arcs:
                if tail == node and cell != without and head not in seen:
                    seen.add(head)
                    frontier.append(head)
        return False

    pinned = set()
    for rc, cell in table.layout.items():
        if cell not in table.hidden:
            continue
        row, col = ("r", rc[0]), ("c", rc[1])
        movable = any(
            reaches(head, tail, cell) for tail, head, arc_cell in arcs if arc_cell == cell and {tail, head} == {row, col}
        )
        if not movable:
            pinned.add(cell)
    return pinned


def exposed(table: Table) -> set[str]:
    """Hidden cells an attacker can recover exactly."""
    by_bounds = {c for c, (lo, hi) in bounds(table).items() if c in table.hidden and lo == hi}
    found = _determined_by_algebra(table) | by_bounds
    if table.layout:
        found |= _pinned_in_grid(table)
    return found


def _relations_of(table: Table, cell: str) -> list[list[str]]:
    return [[total, *parts] for total, parts in table.relations if cell == total or cell in parts]


def _rectangle_complements(table: Table) -> None:
    """Hide, for each exposed small cell of a two-way table, the cheapest rectangle.

    Moving +d, -d, -d, +d around the corners of any rectangle (margins counted
    as a row and a column) keeps every total, so a rectangle of hidden cells
    cannot be solved from the totals alone.
    """
    by_cell = {name: rc for rc, name in table.layout.items()}
    rows = sorted({r for r, _ in table.layout})
    cols = sorted({c for _, c in table.layout})
    for cell in sorted(table.small, key=lambda c: table.cells[c]):
        if cell not in exposed(table):
            continue
        r, c = by_cell[cell]
        options: list[tuple[int, list[str]]] = []
        for r2 in rows:
            for c2 in cols:
                if r2 == r or c2 == c:
                    continue
                corners = [table.layout[(r, c2)], table.layout[(r2, c)], table.layout[(r2, c2)]]
                cost = sum(0 if x in table.hidden else max(table.cells[x], 1) * (3 if "total" in (r2, c2) else 1)
                           for x in corners)
                options.append((cost, corners))
        options.sort(key=lambda option: option[0])
        # The cheapest rectangle that really frees the cell: a corner at 0 that the
        # move would have to lower (or a "<5" at 4 it would have to raise) frees nothing.
        for _cost, corners in options:
            before = set(table.hidden)
            table.hidden.update(corners)
            if cell not in _pinned_in_grid(table):
                break
            table.hidden = before
        else:
            if options:
                table.hidden.update(options[0][1])


def protect(table: Table) -> Table:
    """Apply primary and complementary suppression in place; returns the table."""
    table.small = {c for c, v in table.cells.items() if 1 <= v <= SMALL_MAX}
    table.hidden = set(table.small)
    if table.layout:
        _rectangle_complements(table)
    while True:
        weak = exposed(table)
        if not weak:
            return table
        # Hide one more cell next to the first exposed one: the smallest visible
        # non-zero part of one of its relations (totals last), so as little as
        # possible is lost.
        cell = sorted(weak)[0]
        candidates: list[tuple[int, int, str]] = []
        for members in _relations_of(table, cell):
            total = members[0]
            for member in members:
                if member not in table.hidden:
                    value = table.cells[member]
                    candidates.append((member == total, value if value > 0 else UNBOUNDED, member))
        if not candidates:
            # Every neighbour is hidden already yet the cell is exposed by bounds
            # (a table of four 1s: its "<5" total leaves each cell only 1): publish
            # nothing of the table, not even "<5", rather than a recoverable count.
            table.hidden |= set(table.cells)
            table.small = set()
            return table
        table.hidden.add(min(candidates)[2])


def grid(
    name: str, rows: list[str], cols: list[str], counts: dict[tuple[str, str], int]
) -> Table:
    """A two-way table with row, column and grand totals as additive relations."""
    cells: dict[str, int] = {}
    relations: list[tuple[str, list[str]]] = []
    for r in rows:
        for c in cols:
            cells[f"{name}|{r}|{c}"] = counts.get((r, c), 0)
    for r in rows:
        cells[f"{name}|{r}|total"] = sum(counts.get((r, c), 0) for c in cols)
        relations.append((f"{name}|{r}|total", [f"{name}|{r}|{c}" for c in cols]))
    for c in cols:
        cells[f"{name}|total|{c}"] = sum(counts.get((r, c), 0) for r in rows)
        relations.append((f"{name}|total|{c}", [f"{name}|{r}|{c}" for r in rows]))
    cells[f"{name}|total|total"] = sum(counts.values())
    relations.append((f"{name}|total|total", [f"{name}|{r}|total" for r in rows]))
    relations.append((f"{name}|total|total", [f"{name}|total|{c}" for c in cols]))
    layout = {(r, c): f"{name}|{r}|{c}" for r in [*rows, "total"] for c in [*cols, "total"]}
    return Table(cells=cells, relations=relations, layout=layout)
