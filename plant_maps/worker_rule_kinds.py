"""The worker rules' names and alarm ids, apart from the rules themselves so that the site's alarm
definitions (plant_maps.alarm_rules, imported by plant_maps.site) can name them without an import cycle."""

from __future__ import annotations

from enum import StrEnum


class WorkerRule(StrEnum):
    NO_PERMIT_ENTRY = "no_permit_entry"  # in the zone of an active permit without being on it
    GAS_ALARM_ZONE = "gas_alarm_zone"  # in a zone with an active tier-1 gas alarm
    EXPIRED_CERTIFICATE = "expired_certificate"  # GB 30871 qualifications: expired, inside a permit zone
    LOST_SIGNAL = "lost_signal"  # no position for longer than `lost_after_s`
    LOW_BATTERY = "low_battery"
    HEART_RATE = "heart_rate"  # outside the configured range


def worker_alarm(worker: str, rule: WorkerRule) -> str:
    """The alarm id a worker rule raises (alongside `alarm_rules.wearable_alarm`'s `W01.SOS`)."""
    return f"{worker}.{rule.value.upper()}"


_RULES_BY_SUFFIX = {rule.value.upper(): rule for rule in WorkerRule}


def worker_rule_alarm(alarm_id: str) -> tuple[str, WorkerRule] | None:
    """The worker and the rule of a worker rule's alarm (`W16.NO_PERMIT_ENTRY`); None for any other alarm."""
    worker, _, suffix = alarm_id.rpartition(".")
    rule = _RULES_BY_SUFFIX.get(suffix)
    return (worker, rule) if worker and rule is not None else None
