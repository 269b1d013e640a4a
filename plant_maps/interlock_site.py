"""The site file's interlock settings: who may act on each interlock, and the rules that request one.

`[[interlocks]]` beyond the command and feedback tags (read by `site_file`): `does` (what a trip does, shown
before anyone executes it), `roles` (default `INTERLOCK_ROLES`), `two_person` (perform-and-verify) and
`select_timeout_s` (default 30 s: IEC 61850 select-before-operate, a selection lapses). `[[interlock_rules]]`
binds a condition to an interlock (the seeds' PLC cut-off: "when vision sees work without a permit, the
platform cuts the area's power"): as a request the operator confirms, or with `auto = true` executed at once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from plant_maps.permit_grades import APPROVER_ROLES
from plant_maps.roles import CONSOLE_ROLES
from plant_maps.site import INTERLOCK_ROLES, Interlock, InterlockRule, RuleCondition
from plant_maps.toml_reader import Reader
from plant_maps.worker_rule_kinds import WorkerRule

INTERLOCK_KEYS = {"does", "roles", "two_person", "select_timeout_s"}
_KNOWN_ROLES = frozenset(CONSOLE_ROLES) | APPROVER_ROLES


def with_settings(r: Reader, interlock: Interlock) -> Interlock:
    """`interlock` with the fields beyond its tags read from `r`, checked: unknown roles refused by name."""
    roles = frozenset(r.str_list("roles")) if r.has("roles") else INTERLOCK_ROLES
    if not roles:
        raise r.error("roles", "list at least one role that may act on the interlock")
    unknown = roles - _KNOWN_ROLES
    if unknown:
        raise r.error(
            "roles", f"unknown roles {', '.join(sorted(unknown))} (known: {', '.join(sorted(_KNOWN_ROLES))})"
        )
    return replace(
        interlock,
        does=r.str("does", ""),
        roles=roles,
        two_person=r.bool("two_person", False),
        select_timeout_s=r.positive("select_timeout_s", 30.0),
    )


def parse_interlock_rules(
    tables: list[Reader], interlocks: Sequence[Interlock], zone_ids: Collection[str]
) -> tuple[InterlockRule, ...]:
    """`[[interlock_rules]]`: `interlock`, `when` (worker_alarm, vision, gas_tier1), `zone` (default: the
    interlock's), `rule` for a worker alarm, `class` and `min_confidence` for vision, `auto`."""
    by_id = {il.id: il for il in interlocks}
    rules = []
    for r in tables:
        r.reject_unknown({"interlock", "when", "zone", "rule", "class", "min_confidence", "auto"})
        interlock = by_id[r.ref("interlock", set(by_id))]
        when = RuleCondition(r.choice("when", [c.value for c in RuleCondition]))
        zone = r.ref("zone", set(zone_ids)) if r.has("zone") else interlock.zone
        worker_rule, vision_class, min_confidence = "", "", 0.0
        if when is RuleCondition.WORKER_ALARM:
            worker_rule = r.choice("rule", [w.value for w in WorkerRule])
        elif r.has("rule"):
            raise r.error("rule", "only a worker_alarm rule names a worker rule")
        if when is RuleCondition.VISION:
            vision_class = r.str("class")
            min_confidence = r.float("min_confidence", 0.0)
            if not 0.0 <= min_confidence <= 1.0:
                raise r.error("min_confidence", f"expected 0 to 1, got {min_confidence!r}")
        elif r.has("class") or r.has("min_confidence"):
            raise r.error("class", "only a vision rule names a class and a minimum confidence")
        rules.append(
            InterlockRule(
                interlock.id, when, zone, worker_rule, vision_class, min_confidence, r.bool("auto", False)
            )
        )
    return tuple(rules)
