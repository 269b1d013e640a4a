"""`[[trend_sets]]` of a site file: named groups of pens with a live span, checked against the site's tags."""

from __future__ import annotations

from plant_maps.site import Sensor, TrendSet, Worker
from plant_maps.toml_reader import Reader
from plant_maps.trend_tags import VITALS, vital_tag

MAX_PENS = 8  # what a trend draws at once
MAX_SPAN_S = 24 * 3600.0  # the longest live span


def parse_trend_sets(
    root: Reader, sensors: tuple[Sensor, ...], workers: tuple[Worker, ...]
) -> tuple[TrendSet, ...]:
    known = {s.id for s in sensors} | {vital_tag(w.id, v.field) for w in workers for v in VITALS}
    sets: list[TrendSet] = []
    for r in root.tables("trend_sets"):
        name = r.str("name")
        if any(s.name == name for s in sets):
            raise r.error("name", f"duplicate trend set name {name!r}")
        pens = r.str_list("pens")
        if not pens or len(pens) > MAX_PENS:
            raise r.error("pens", f"trend set {name!r} needs 1 to {MAX_PENS} pens, has {len(pens)}")
        for i, tag in enumerate(pens):
            if tag not in known:
                raise r.error(f"pens[{i}]", f"trend set {name!r}: unknown tag {tag!r}")
        span = r.positive("span_s", 900.0)
        if span > MAX_SPAN_S:
            raise r.error("span_s", f"trend set {name!r}: at most {MAX_SPAN_S:g} s (24 h)")
        r.reject_unknown({"name", "pens", "span_s"})
        sets.append(TrendSet(name, tuple(dict.fromkeys(pens)), span))
    return tuple(sets)
