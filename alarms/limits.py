"""Limit alarms of many tags at once: hh/h/l/ll as (rules x 4) numpy arrays, a batch at a time.

ISA-18.2 deadband: a limit activates when the value reaches it and clears only once the value is beyond
it by the deadband. ISA-18.2 on/off delay: the alarm follows the condition only after the condition held
for the delay, tracked with one timestamp per condition. An unusable value (NaN, bad, stale) freezes the
condition where the alarm stands: it neither activates nor clears a limit (the communication alarm speaks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from alarms.definitions import AlarmSpec, LimitKind, LimitRule, split_limit_id
from alarms.records import Edge
from alarms.tags import LiveTags

_KINDS = tuple(LimitKind)
_RISING = slice(0, 2)  # hh and h: the value reaches them from below; l and ll from above
_FALLING = slice(2, 4)


class LimitBank:
    """The limit rules of a site, evaluated vectorised: one row per LimitKind, one column per rule
    (that way round, numpy's inner loops run along the rules)."""

    def __init__(self, rules: Sequence[LimitRule], tag_rows: Mapping[str, int], tag_count: int) -> None:
        n = len(rules)
        self._rules = tuple(rules)
        self._index = {rule.tag: i for i, rule in enumerate(rules)}
        self._tag_row = np.array([tag_rows[rule.tag] for rule in rules], dtype=np.intp)
        self._rule_of_row = np.full(tag_count, -1, dtype=np.intp)
        self._rule_of_row[self._tag_row] = np.arange(n)
        setpoints = [
            np.nan if (lim := rule.limit(k)) is None else lim.setpoint for rule in rules for k in _KINDS
        ]
        self._on_level = np.array(setpoints, dtype=np.float64).reshape(n, 4).T  # NaN: no such limit
        deadband = np.array([rule.deadband for rule in rules], dtype=np.float64)
        self._off_level = self._on_level.copy()  # an active limit holds until the value is beyond this
        self._off_level[_RISING] -= deadband
        self._off_level[_FALLING] += deadband
        self._on_delay = np.array([rule.on_delay_s for rule in rules], dtype=np.float64)
        self._off_delay = np.array([rule.off_delay_s for rule in rules], dtype=np.float64)
        self._cond = np.zeros((4, n), dtype=bool)  # the condition with hysteresis, before delays
        self._active = np.zeros((4, n), dtype=bool)  # the condition the alarm follows, after delays
        self._since = np.zeros((4, n))  # when `_cond` last changed

    def evaluate(self, rows: np.ndarray | None, tags: LiveTags, now: float) -> list[Edge]:
        """Evaluate the rules of the given tag rows (None: every rule) on the live values."""
        sel = slice(None) if rows is None else self._rules_of(rows)
        tag_row = self._tag_row[sel]
        value, usable = tags.value[tag_row], tags.usable[tag_row]
        cond = self._cond[:, sel]
        new = _reached(value, self._on_level[:, sel]) | (cond & _reached(value, self._off_level[:, sel]))
        if not usable.all():
            new = np.where(usable, new, self._active[:, sel])
        changed = new != cond
        if changed.any():
            k, r = np.nonzero(changed)
            rule = r if rows is None else sel[r]
            self._cond[k, rule] = new[k, r]
            self._since[k, rule] = now
        return self._fire(sel, now, tags)

    def due(self, now: float, tags: LiveTags) -> list[Edge]:
        """Alarms whose on- or off-delay ran out since the last evaluation."""
        return self._fire(slice(None), now, tags)

    def spec(self, alarm_id: str) -> AlarmSpec | None:
        found = self._locate(alarm_id)
        return None if found is None else self._rules[found[0]].spec(found[1])

    def force(self, alarm_id: str, active: bool) -> bool:
        """Set a condition as restored from the journal; False if the alarm is not a limit alarm here."""
        found = self._locate(alarm_id)
        if found is not None:
            self._cond[found[1], found[0]] = self._active[found[1], found[0]] = active
        return found is not None

    def _rules_of(self, rows: np.ndarray) -> np.ndarray:
        rules = self._rule_of_row[rows]
        return rules[rules >= 0]

    def _locate(self, alarm_id: str) -> tuple[int, LimitKind] | None:
        split = split_limit_id(alarm_id)
        if (
            split is None
            or (i := self._index.get(split[0])) is None
            or self._rules[i].limit(split[1]) is None
        ):
            return None
        return i, split[1]

    def _fire(self, sel: slice | np.ndarray, now: float, tags: LiveTags) -> list[Edge]:
        cond = self._cond[:, sel]
        pending = cond != self._active[:, sel]
        if not pending.any():
            return []
        k, r = np.nonzero(pending)
        rule = r if isinstance(sel, slice) else sel[r]
        on = cond[k, r]
        due = now - self._since[k, rule] >= np.where(on, self._on_delay[rule], self._off_delay[rule])
        rule, k, on = rule[due], k[due], on[due]
        self._active[k, rule] = on
        values = tags.value[self._tag_row[rule]]
        return [
            Edge(self._rules[i].alarm_id(_KINDS[j]), a, v)
            for i, j, a, v in zip(rule.tolist(), k.tolist(), on.tolist(), values.tolist(), strict=True)
        ]


def _reached(value: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Per limit row: the value is at or beyond the level (>= for hh and h, <= for l and ll)."""
    out = np.empty(level.shape, dtype=bool)
    np.greater_equal(value, level[_RISING], out=out[_RISING])
    np.less_equal(value, level[_FALLING], out=out[_FALLING])
    return out
