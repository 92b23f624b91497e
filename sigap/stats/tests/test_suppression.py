from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigap.stats.suppression import Table, grid, protect
from sigap.stats.tests.attacker import recoverable


def published(table: Table) -> dict[str, object]:
    return {cell: table.published(cell) for cell in table.cells}


def test_small_counts_are_shown_as_below_five_and_zero_and_large_counts_stay() -> None:
    table = protect(grid("t", ["a", "b"], ["x", "y"], {("a", "x"): 3, ("a", "y"): 10, ("b", "x"): 0, ("b", "y"): 7}))
    view = published(table)
    assert view["t|a|x"] == "<5"
    assert view["t|b|x"] == 0 or view["t|b|x"] is None
    for value in view.values():
        assert value is None or value == "<5" or value == 0 or (isinstance(value, int) and value >= 5)


def test_a_single_small_cell_gets_complements_in_its_row_and_column() -> None:
    counts = {("a", "x"): 2, ("a", "y"): 9, ("a", "z"): 12, ("b", "x"): 8, ("b", "y"): 6, ("b", "z"): 7}
    table = protect(grid("t", ["a", "b"], ["x", "y", "z"], counts))
    assert recoverable(published(table), table.relations, table.cells) == set()
    assert len(table.hidden) >= 4  # a 2x2 rectangle at least


def test_a_small_total_is_suppressed_too() -> None:
    table = protect(grid("t", ["a"], ["x", "y"], {("a", "x"): 1, ("a", "y"): 2}))
    assert table.published("t|total|total") == "<5"
    assert recoverable(published(table), table.relations, table.cells) == set()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.integers(min_value=1, max_value=3),
    cols=st.integers(min_value=2, max_value=3),
    values=st.lists(st.integers(min_value=0, max_value=12), min_size=9, max_size=9),
)
def test_no_hidden_count_can_be_recovered_from_the_published_table(rows: int, cols: int, values: list[int]) -> None:
    row_names = [f"r{i}" for i in range(rows)]
    col_names = [f"c{j}" for j in range(cols)]
    counts = {(r, c): values[i * 3 + j] for i, r in enumerate(row_names) for j, c in enumerate(col_names)}
    table = protect(grid("t", row_names, col_names, counts))
    view = published(table)
    # Every count from 1 to 4 is hidden ...
    for cell, value in table.cells.items():
        if 1 <= value <= 4:
            assert view[cell] in ("<5", None)  # None: a table that cannot be protected is withheld whole
    # ... and the attacker, enumerating all consistent tables, pins none of them.
    assert recoverable(view, table.relations, table.cells) == set()


def test_a_small_count_pinned_only_by_a_case_split_is_protected() -> None:
    # Found by the property test above: the "<5" in row r0 could only be 4, because the
    # column totals leave c0 and c1 together 2 while row r0 needs 6 from three cells.
    values = [0, 2, 4, 0, 0, 2, 0, 0, 0]
    rows, cols = ["r0", "r1", "r2"], ["c0", "c1", "c2"]
    counts = {(r, c): values[i * 3 + j] for i, r in enumerate(rows) for j, c in enumerate(cols)}
    table = protect(grid("t", rows, cols, counts))
    assert recoverable(published(table), table.relations, table.cells) == set()


def test_a_table_whose_bounds_alone_give_it_away_is_withheld_whole() -> None:
    # Four 1s: every cell and total is "<5", yet a total of at most 4 over four cells of at least 1 pins each.
    rows, cols = ["r0", "r1"], ["c0", "c1"]
    table = protect(grid("t", rows, cols, {(r, c): 1 for r in rows for c in cols}))
    view = published(table)
    assert set(view.values()) == {None}
    assert recoverable(view, table.relations, table.cells) == set()
