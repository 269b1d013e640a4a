"""Rate-of-change, composite and time-to-threshold rules, evaluated together as vectorised terms.

Every rule is an all-of list of terms; a term compares a tag's value, its rate per minute, or its time to
a threshold (seconds at the current slope) with a threshold. A rule whose terms are not all usable keeps
its condition (bad data neither raises nor clears a derived alarm). A time to a threshold is never negative:
0 once the tag is at or past it (reached now), NaN while the tag is not heading there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import IntEnum

import numpy as np

from alarms.bank import RuleBank
from alarms.definitions import CompositeRule, Condition, Op, RateRule, TimeToThresholdRule
from alarms.records import Edge
from alarms.tags import LiveTags
from alarms.trend import TrendBuffer

DerivedRule = RateRule | CompositeRule | TimeToThresholdRule


class _Quantity(IntEnum):
    VALUE = 0
    RATE = 1  # per minute
    ETA = 2  # seconds until the value reaches `level` at the current slope


_OPS = {Op.ABOVE: 0, Op.BELOW: 1, Op.BEYOND: 2}
_WITHIN = 3  # 0 < x <= threshold


class DerivedBank(RuleBank):
    """The derived rules of a site; `spans()` tells the trend buffer which tags to keep and how long."""

    def __init__(self, rules: Sequence[DerivedRule], tag_rows: Mapping[str, int]) -> None:
        super().__init__([rule.alarm.id for rule in rules])
        terms = [(i, term) for i, rule in enumerate(rules) for term in _terms(rule, tag_rows)]
        rule_of_term = np.array([i for i, _ in terms], dtype=np.intp)
        self._start = np.searchsorted(rule_of_term, np.arange(len(rules)))
        columns = list(zip(*(term for _, term in terms), strict=True)) or [()] * 7
        self._row, self._quantity, self._op = (np.array(c, dtype=np.intp) for c in columns[:3])
        self._threshold, self._window, self._level, self._toward = (
            np.array(c, dtype=np.float64) for c in columns[3:]
        )
        self._trended = self._quantity != _Quantity.VALUE

    def spans(self) -> dict[int, float]:
        spans: dict[int, float] = {}
        for row, window in zip(
            self._row[self._trended].tolist(), self._window[self._trended].tolist(), strict=True
        ):
            spans[row] = max(window, spans.get(row, 0.0))
        return spans

    def evaluate(self, tags: LiveTags, trend: TrendBuffer, now: float) -> list[Edge]:
        if not self._ids:
            return []
        x = tags.value[self._row].copy()
        ok = tags.usable[self._row].copy()
        trended = self._trended
        slope = trend.slope(self._row[trended], self._window[trended], now)
        eta = _eta(x[trended], self._level[trended], self._toward[trended], slope)
        x[trended] = np.where(self._quantity[trended] == _Quantity.RATE, slope * 60.0, eta)
        ok[trended] &= np.isfinite(slope)
        t = self._threshold
        with np.errstate(invalid="ignore"):
            hit = np.choose(self._op, [x > t, x < t, np.abs(x) > t, (x > 0) & (x <= t)])
        rule_ok = np.logical_and.reduceat(ok, self._start)
        new = np.where(rule_ok, np.logical_and.reduceat(hit, self._start), self.active)
        return self._edges(new, new != self.active, x[self._start])  # the first term's quantity


def _eta(value: np.ndarray, level: np.ndarray, toward: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Seconds until `value` reaches `level` at `slope` (per second), coming `toward` it from below (+1) or
    above (-1): 0 once there or past it, NaN while not heading there."""
    gap, speed = (level - value) * toward, slope * toward
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(gap <= 0, 0.0, np.where(speed > 0, gap / speed, np.nan))


Term = tuple[int, int, int, float, float, float, float]


def _terms(rule: DerivedRule, tag_rows: Mapping[str, int]) -> list[Term]:
    """(row, quantity, op, threshold, window, level, toward) per term; `toward` is the direction from which
    a time-to-threshold term's tag approaches its level (+1 from below, -1 from above)."""
    match rule:
        case TimeToThresholdRule():
            toward = 1.0 if rule.rising else -1.0
            return [
                (
                    tag_rows[rule.tag],
                    _Quantity.ETA,
                    _WITHIN,
                    rule.horizon_s,
                    rule.window_s,
                    rule.threshold,
                    toward,
                )
            ]
        case RateRule():
            return [_condition_term(rule.condition, tag_rows)]
        case CompositeRule():
            return [_condition_term(c, tag_rows) for c in rule.all_of]


def _condition_term(c: Condition, tag_rows: Mapping[str, int]) -> Term:
    if c.rate_window_s is None:
        return (tag_rows[c.tag], _Quantity.VALUE, _OPS[c.op], c.threshold, 0.0, np.nan, 1.0)
    return (tag_rows[c.tag], _Quantity.RATE, _OPS[c.op], c.threshold, c.rate_window_s, np.nan, 1.0)
