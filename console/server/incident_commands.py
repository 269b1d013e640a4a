"""The incident commands of the session, carried out by the incident service (called by the core after its
permission check; each command's audit entry commits with the service's journal row)."""

from __future__ import annotations

from console.server.incidents import IncidentService
from console.server.session import (
    AddIncidentNote,
    AddIncidentObjective,
    CloseIncident,
    CommandResult,
    DeclareIncident,
    IncidentCommand,
    ReopenIncident,
    TransferIncidentCommand,
)


async def carry_out(service: IncidentService, command: IncidentCommand) -> CommandResult:
    actor = command.actor
    match command:
        case DeclareIncident():
            ok, message = await service.declare(actor, command)
        case TransferIncidentCommand(_, incident_id, commander, reason):
            ok, message = await service.transfer(actor, incident_id, commander, reason)
        case AddIncidentObjective(_, incident_id, text):
            ok, message = await service.objective(actor, incident_id, text)
        case AddIncidentNote(_, incident_id, text):
            ok, message = await service.note(actor, incident_id, text)
        case CloseIncident(_, incident_id, reason):
            ok, message = await service.close(actor, incident_id, reason)
        case ReopenIncident(_, incident_id, reason):
            ok, message = await service.reopen(actor, incident_id, reason)
        case _:
            ok, message = False, f"unknown command {command!r}"
    return CommandResult(ok, message)
