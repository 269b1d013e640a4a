"""The interlock commands of the session, carried out by the interlock service (called by the core after its
permission check; each command's audit entry commits with the service's first journal row)."""

from __future__ import annotations

from console.server.interlock_service import InterlockService
from console.server.session import (
    ArmInterlock,
    CancelInterlock,
    CommandResult,
    ConfirmSecondPerson,
    DismissInterlockRequest,
    ExecuteInterlock,
    InterlockCommand,
    ResetInterlock,
)
from plant_maps.alarm_zones import Hazard


async def carry_out(
    service: InterlockService, command: InterlockCommand, overrides: tuple[Hazard, ...] = ()
) -> CommandResult:
    """`overrides`: the live tier-1 alarms an execution overrides (the core's check let it, with its reason)."""
    refusal = service.refusal(command.interlock_id, command.actor)
    if refusal:
        return CommandResult(False, refusal)
    il, actor = command.interlock_id, command.actor
    match command:
        case ArmInterlock():
            result = await service.arm(il, actor, True)
        case ResetInterlock():
            result = await service.arm(il, actor, False)
        case ExecuteInterlock(_, _, reason):
            result = await service.execute(il, actor, reason.strip(), overrides)
        case CancelInterlock():
            result = await service.cancel(il, actor)
        case ConfirmSecondPerson(_, _, second_user, password, seen):
            result = await service.confirm(il, actor, second_user, password, seen)
        case DismissInterlockRequest():
            result = await service.dismiss(il, actor)
    return CommandResult(result.ok, result.message)
