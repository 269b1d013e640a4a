"""Communication alarms: a tag, or a whole source, delivers no usable value (bad, stale or NaN).

DESIGN: a source that drops marks its tags stale and raises a communication alarm. A rule lists one tag,
or every tag of a source, and is active while none of them is usable. A rule is re-evaluated only when a
batch touches one of its tags, so tags never received raise nothing until their source speaks.

A source's loss is one alarm, its own: while the source's rule is active its stale tags' rules are held as
they were (no raise, no clear), and when the source goes down or comes back all of them are judged again. A
tag the server refuses (bad, not stale) keeps its own alarm saying why, also while the source is down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from alarms.bank import RuleBank
from alarms.definitions import CommRule
from alarms.records import Edge
from alarms.samples import Quality
from alarms.tags import LiveTags


class CommBank(RuleBank):
    def __init__(self, rules: Sequence[CommRule], tag_rows: Mapping[str, int]) -> None:
        super().__init__([rule.alarm.id for rule in rules])
        self._row = np.array([tag_rows[tag] for rule in rules for tag in rule.tags], dtype=np.intp)
        sizes = np.array([len(rule.tags) for rule in rules], dtype=np.intp)
        self._start = np.cumsum(sizes) - sizes
        index = {rule.alarm.id: i for i, rule in enumerate(rules)}
        self._tag_rules = np.array([i for i, rule in enumerate(rules) if rule.source], dtype=np.intp)
        self._source_of = np.array([index[rule.source] for rule in rules if rule.source], dtype=np.intp)

    def evaluate(self, touched: np.ndarray | None, tags: LiveTags) -> list[Edge]:
        """Re-evaluate the rules with a tag in `touched` (a mask over tag rows; None: every rule)."""
        if not self._ids:
            return []
        new = np.logical_and.reduceat(~tags.usable[self._row], self._start)
        changed = new != self.active
        if touched is not None:
            changed &= np.logical_or.reduceat(touched[self._row], self._start)
        if self._tag_rules.size:
            own, source = self._tag_rules, self._source_of
            lost = np.where(changed[source], new[source], self.active[source])
            stale = tags.quality[self._row[self._start[own]]] == int(Quality.STALE)
            judged = (changed[own] | changed[source]) & ~(lost & stale)
            changed[own] = judged & (new[own] != self.active[own])
        return self._edges(new, changed, tags.value[self._row[self._start]])
