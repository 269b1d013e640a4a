"""Per-worker safety rules over every worker at once: a few numpy passes for the whole site per call.

Each rule is a boolean column of one (workers x rules) matrix; `WorkerRules.evaluate` returns only the
cells that changed since its previous call, so the alarm engine is told of edges (raise / clear) and a
10,000-worker batch costs one `zone_of_points` plus a handful of vector comparisons, not a Python loop.
Zone rules use each worker's last known position; a position that has gone quiet is the lost-signal rule.
Runs on the core's loop thread; keeps the previous matrix between calls.

Which permits count (GB 30871): a zone is a permit zone while a permit's work runs there (active); a person
named on a live permit of the zone (approved, active or suspended: worker or guardian) is not an intruder
there. Their own permit being suspended tells them to stop and leave; the console does not also flash them
as intruders of another permit in the zone (EEMUA 191: no fleeting alarms), and an approved permit's people
come to prepare (the guardian checks in at the work location before the start).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import NamedTuple, Protocol

import numpy as np

from plant_maps.certificates import expired_certificates, first_expiry_ordinals, site_day
from plant_maps.geometry import zone_of_points
from plant_maps.permit_lifecycle import LIVE, PermitState
from plant_maps.site import Permit, Site
from plant_maps.worker_rule_kinds import WorkerRule

RULES = tuple(WorkerRule)
_COL = {rule: i for i, rule in enumerate(RULES)}

PermitStates = Iterable[tuple[Permit, PermitState]]  # each permit with its state now (the permit book's)


@dataclass(frozen=True, slots=True)
class WorkerRuleSettings:
    """Thresholds of the device rules. DOMAIN.md: low battery below 10 % (market practice); it gives no
    lost-signal time (60 s here) nor a heart-rate range (40-150 bpm here)."""

    lost_after_s: float = 60.0
    low_battery_pct: float = 10.0
    heart_rate_min: float = 40.0
    heart_rate_max: float = 150.0


class WorkerFinding(NamedTuple):
    """A rule started (`active`) or stopped holding for a worker; `detail` is the text to show."""

    worker: str
    rule: WorkerRule
    active: bool
    detail: str
    zone: str = ""  # the zone the worker is in ("" in none): where the alarm belongs


class WorkerArrays(Protocol):
    """Every worker's latest fix and vitals by site row (`plant_maps.state.WorkerTable` is one).

    NaN means unknown (no fix, no vitals yet); `fix_ts` is 0 until a first fix.
    """

    x: np.ndarray
    y: np.ndarray
    fix_ts: np.ndarray
    battery: np.ndarray
    heart_rate: np.ndarray


class WorkerRules:
    """The worker rules of one site; construction precomputes zone polygons and certificate expiries."""

    def __init__(self, site: Site, settings: WorkerRuleSettings | None = None, tz: tzinfo = UTC) -> None:
        self.site = site
        self.settings = settings or WorkerRuleSettings()
        self.tz = tz
        self._ids = [w.id for w in site.workers]
        self._polygons = [np.asarray(z.polygon, dtype=np.float64) for z in site.zones]
        self._first_expiry = first_expiry_ordinals(site.workers)
        self._held = np.zeros((len(site.workers), len(RULES)), dtype=bool)

    @property
    def held(self) -> np.ndarray:
        """The (workers x rules) matrix of the previous evaluation; columns in `RULES` order. Read-only."""
        view = self._held.view()
        view.flags.writeable = False
        return view

    def conditions(
        self,
        now: float,
        workers: WorkerArrays,
        permits: PermitStates,
        tier1_gas_zones: Collection[str],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every rule for every worker now, without remembering: the (workers x rules) matrix and each
        worker's zone row (-1: in no zone). `permits` in any state: the rule picks the ones that count."""
        s = self.settings
        n, n_zones = len(self._ids), len(self._polygons)
        zone = zone_of_points(workers.x, workers.y, self._polygons)
        inside = zone >= 0
        z = np.where(inside, zone, 0)
        permit_zone = np.zeros(n_zones, dtype=bool)
        on_permit = np.zeros((n, n_zones), dtype=bool)
        for permit, state in permits:
            if state not in LIVE:
                continue
            zi = self.site.zone_index[permit.zone]
            permit_zone[zi] |= state is PermitState.ACTIVE
            rows = [self.site.worker_index[w] for w in (*permit.workers, permit.guardian)]
            on_permit[rows, zi] = True
        gas_zone = np.zeros(n_zones, dtype=bool)
        for zone_id in tier1_gas_zones:
            if zone_id in self.site.zone_index:
                gas_zone[self.site.zone_index[zone_id]] = True
        in_permit_zone = inside & permit_zone[z]
        today = site_day(now, self.tz).toordinal()
        out = np.empty((n, len(RULES)), dtype=bool)
        out[:, _COL[WorkerRule.NO_PERMIT_ENTRY]] = in_permit_zone & ~on_permit[np.arange(n), z]
        out[:, _COL[WorkerRule.GAS_ALARM_ZONE]] = inside & gas_zone[z]
        out[:, _COL[WorkerRule.EXPIRED_CERTIFICATE]] = in_permit_zone & (self._first_expiry <= today)
        out[:, _COL[WorkerRule.LOST_SIGNAL]] = (workers.fix_ts > 0) & (now - workers.fix_ts > s.lost_after_s)
        with np.errstate(invalid="ignore"):
            out[:, _COL[WorkerRule.LOW_BATTERY]] = workers.battery < s.low_battery_pct
            hr = workers.heart_rate
            out[:, _COL[WorkerRule.HEART_RATE]] = (hr < s.heart_rate_min) | (hr > s.heart_rate_max)
        return out, zone

    def evaluate(
        self,
        now: float,
        workers: WorkerArrays,
        permits: PermitStates,
        tier1_gas_zones: Collection[str],
    ) -> list[WorkerFinding]:
        """The rule edges since the previous call (the first call reports everything that holds)."""
        permits = list(permits)
        now_held, zone = self.conditions(now, workers, permits, tier1_gas_zones)
        rows, cols = np.nonzero(now_held != self._held)
        self._held = now_held
        if rows.size == 0:
            return []
        by_zone: dict[int, list[str]] = {}  # the permits whose work runs in each zone, for the details
        for p, state in permits:
            if state is PermitState.ACTIVE:
                by_zone.setdefault(self.site.zone_index[p.zone], []).append(p.id)
        out = []
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            rule = RULES[col]
            active = bool(now_held[row, col])
            detail = self._detail(rule, row, int(zone[row]), now, workers, by_zone) if active else "cleared"
            where = self.site.zones[int(zone[row])].id if zone[row] >= 0 else ""
            out.append(WorkerFinding(self._ids[row], rule, active, detail, where))
        return out

    def _detail(
        self,
        rule: WorkerRule,
        row: int,
        zone: int,
        now: float,
        w: WorkerArrays,
        permits: dict[int, list[str]],
    ) -> str:
        s = self.settings
        where = self.site.zones[zone].name if zone >= 0 else ""
        if rule is WorkerRule.NO_PERMIT_ENTRY:
            return f"in {where} without being on permit {', '.join(permits.get(zone, []))}"
        if rule is WorkerRule.GAS_ALARM_ZONE:
            return f"in {where}, which has an active tier-1 gas alarm"
        if rule is WorkerRule.EXPIRED_CERTIFICATE:
            expired = expired_certificates(self.site.workers[row], site_day(now, self.tz))
            certs = ", ".join(f"{c.type} (expired {c.expires.isoformat()})" for c in expired)
            return f"in {where} (permit {', '.join(permits.get(zone, []))}) with expired certificate {certs}"
        if rule is WorkerRule.LOST_SIGNAL:
            return f"no position for {now - w.fix_ts[row]:.0f} s (limit {s.lost_after_s:g} s)"
        if rule is WorkerRule.LOW_BATTERY:
            return f"battery {w.battery[row]:.0f} % (below {s.low_battery_pct:g} %)"
        return (
            f"heart rate {w.heart_rate[row]:.0f} bpm (outside {s.heart_rate_min:g}-{s.heart_rate_max:g} bpm)"
        )
