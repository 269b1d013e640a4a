"""The simulator's server filters by deadband as OPC UA Part 4 §7.22.2 says, as a PLC's server does.

asyncua's server (2.1) judges a DataChangeFilter's deadband against the previous sample, not the last value
it reported, so a value that creeps (a slow gas build-up, 0.1 %LEL a second against a 0.5 %LEL deadband)
is never reported at all; it also drops a status change that comes without a large enough move. The
console asks for deadbands, so its simulator must play a server that keeps the rule: a value is reported
when it moved more than the deadband from the last value reported, or its status changed.
"""

from __future__ import annotations

from typing import Any

from asyncua import ua
from asyncua.server.monitored_item_service import MonitoredItemService, MonitoredItemValues


def _beyond_deadband(
    self: MonitoredItemService, values: MonitoredItemValues, flt: ua.DataChangeFilter
) -> bool:
    current = values.get_current_datavalue()
    reported: Any = getattr(values, "reported", None)
    report = (
        reported is None
        or current is None
        or flt.DeadbandType != ua.DeadbandType.Absolute
        or current.StatusCode != reported.StatusCode
        or not _within(current, reported, flt.DeadbandValue)
    )
    if report:
        values.reported = current  # type: ignore[attr-defined]
    return report


def _within(current: ua.DataValue, reported: ua.DataValue, deadband: float) -> bool:
    now = current.Value.Value if current.Value is not None else None
    then = reported.Value.Value if reported.Value is not None else None
    if not isinstance(now, int | float) or not isinstance(then, int | float):
        return now == then
    return abs(now - then) <= deadband


def follow_the_spec() -> None:
    """Make every asyncua server in this process judge deadbands by the last reported value."""
    MonitoredItemService._is_deadband_exceeded = _beyond_deadband  # type: ignore[method-assign]
