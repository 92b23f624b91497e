"""An independent attacker for published tables (tests only).

Given only what is published (numbers, "<5", hidden cells) and the table's
additive structure, it searches, for each hidden cell, for a consistent
table in which that cell has a different value; cells with none are recoverable. It shares no code with ``sigap.stats.suppression``.
"""

from __future__ import annotations

from typing import Any


def recoverable(
    published: dict[str, Any], relations: list[tuple[str, list[str]]], truth: dict[str, int], cap: int = 80
) -> set[str]:
    """Hidden cells for which no table other than the true one fits what is published.

    ``truth`` is used only to ask "is there another consistent value?"; the
    search itself sees nothing but the published view.
    """
    hidden = [c for c, v in published.items() if v is None or v == "<5"]
    lo = {c: (1 if published[c] == "<5" else 0) for c in hidden}
    hi = {c: (4 if published[c] == "<5" else cap) for c in hidden}
    assignment: dict[str, int] = {c: v for c, v in published.items() if isinstance(v, int)}

    def consistent(partial: dict[str, int]) -> bool:
        for total, parts in relations:
            members = [total, *parts]
            if all(m in partial for m in members):
                if partial[total] != sum(partial[p] for p in parts):
                    return False
            else:
                # Bound check: what is assigned must still leave room.
                known_parts = sum(partial[p] for p in parts if p in partial)
                free_parts = [p for p in parts if p not in partial]
                min_rest = sum(lo[p] for p in free_parts)
                max_rest = sum(hi[p] for p in free_parts)
                t_lo, t_hi = (partial[total], partial[total]) if total in partial else (lo[total], hi[total])
                if known_parts + min_rest > t_hi or known_parts + max_rest < t_lo:
                    return False
        return True

    # Tighten the upper bounds first: a part is at most its relation's total
    # minus the smallest the other parts can be.
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            t_hi = assignment.get(total, hi.get(total, cap))
            for p in parts:
                if p in hi:
                    others_lo = sum(assignment.get(q, lo.get(q, 0)) for q in parts if q != p)
                    bound = t_hi - others_lo
                    if bound < hi[p]:
                        hi[p] = max(bound, lo[p])
                        changed = True
            if total in hi:
                parts_hi = sum(assignment.get(q, hi.get(q, cap)) for q in parts)
                if parts_hi < hi[total]:
                    hi[total] = max(parts_hi, lo[total])
                    changed = True

    def forced(partial: dict[str, int]) -> tuple[str, int] | None:
        """A relation with one member left open fixes that member's value."""
        for total, parts in relations:
            members = [total, *parts]
            open_members = [m for m in members if m not in partial]
            if len(open_members) == 1:
                m = open_members[0]
                known = sum(partial[p] for p in parts if p in partial)
                return (m, partial[total] - known) if m != total else (m, known)
        return None

    def completes(free: list[str]) -> bool:
        """Is there any assignment of the free cells that satisfies every relation?"""
        if not free:
            return True
        hit = forced(assignment)
        if hit is not None and hit[0] in free:
            cell, value = hit
            if not lo[cell] <= value <= hi[cell]:
                return False
            candidates = [value]
        else:
            cell = free[0]
            candidates = list(range(lo[cell], hi[cell] + 1))
        rest = [c for c in free if c != cell]
        for value in candidates:
            assignment[cell] = value
            ok = consistent(assignment) and completes(rest)
            del assignment[cell]
            if ok:
                return True
        return False

    pinned = set()
    for cell in hidden:
        rest = sorted((c for c in hidden if c != cell), key=lambda c: hi[c] - lo[c])
        alternative = False
        for value in range(lo[cell], hi[cell] + 1):
            if value == truth[cell]:
                continue
            assignment[cell] = value
            alternative = consistent(assignment) and completes(rest)
            del assignment[cell]
            if alternative:
                break
        if not alternative:
            pinned.add(cell)
    return pinned
