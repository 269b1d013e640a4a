"""The handover commands of the session, carried out by the handover service (called by the core after its
permission and signature checks; each command's audit entry commits with the service's first journal row)."""

from __future__ import annotations

from console.server.handover import HandoverService
from console.server.session import (
    ClearHandoverFlag,
    CommandResult,
    FinaliseHandover,
    FlagHandoverItem,
    HandoverCommand,
    SignHandover,
    StartHandover,
)
from console.server.signatures import SignedBy


async def carry_out(
    service: HandoverService, command: HandoverCommand, signed: SignedBy | None
) -> CommandResult:
    """`signed`: the signature the core checked (a SignHandover carries one, or is refused before)."""
    actor = command.actor
    match command:
        case StartHandover(_, incoming, since, until):
            ok, message = await service.start(actor, incoming, since, until)
        case FlagHandoverItem(_, text):
            ok, message = await service.flag(actor, text)
        case ClearHandoverFlag(_, flag_id):
            ok, message = await service.clear(actor, flag_id)
        case SignHandover(_, handover_id, side) if signed is not None:
            ok, message = await service.sign(actor, handover_id, side, signed)
        case FinaliseHandover(_, handover_id):
            ok, message = await service.finalise(actor, handover_id)
        case _:
            ok, message = False, f"unknown command {command!r}"
    return CommandResult(ok, message)
