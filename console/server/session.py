"""The session: the one interface between a console's views and the core (DESIGN.md, Seams).

Views subscribe to state and send commands; they never reach into sources or the store. In-process the
core itself is the session; the same interface over MQTT lets many consoles share one core.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from alarms.clock import Clock
from console.server.signatures import Signature
from integrations.source import SourceStatus
from plant_maps.alarm_zones import Occurrence
from plant_maps.limits import LimitArrays
from plant_maps.site import Site
from plant_maps.state import TagTable, WorkerTable
from plant_maps.wearables import Resolution

if TYPE_CHECKING:
    from console.server.alarm_service import AlarmService
    from console.server.handover import HandoverService
    from console.server.incidents import IncidentService
    from console.server.interlock_service import InterlockService
    from console.server.journal_watch import JournalStatus
    from console.server.permit_service import PermitService
    from console.server.trend_buffer import TrendBuffer
    from console.server.vision_marks import VisionMarks
    from console.server.wearable_response import WearableResponses
    from plant_maps.muster import MissingWorker, Muster


class Topic(Enum):
    """What a subscriber can follow; the payload says which rows or entries changed."""

    TAGS = "tags"  # np.ndarray of tag rows
    WORKERS = "workers"  # np.ndarray of worker rows
    CONNECTIONS = "connections"  # the SourceStatus that changed
    LOG = "log"  # list[LogEntry] just appended
    ALARMS = "alarms"  # list[Transition] just committed to the journal
    PERMITS = "permits"  # list[PermitChange] just committed to the journal
    RESPONSES = "responses"  # list of the alarm ids whose wearable response moved on
    MUSTER = "muster"  # list[Accounted] newly counted (empty when mustering starts or stops)
    BROADCASTS = "broadcasts"  # list[BroadcastCall] whose delivery moved on
    INTERLOCKS = "interlocks"  # list of the interlock ids whose state, selection or request changed
    HANDOVERS = "handovers"  # list of the handover ids (or "flags") that changed
    INCIDENTS = "incidents"  # list of the incident ids that changed


@dataclass(frozen=True, slots=True)
class LogEntry:
    seq: int
    ts: float
    severity: str  # one of SEVERITIES
    source: str
    text: str


# What an event-log line is: an alarm's occurrence or escalation by its tier (drawn with the tier's symbol),
# a fault of the console or a source, a warning, something an operator did, or plain information.
SEVERITIES = ("tier1", "tier2", "tier3", "error", "warning", "action", "info")


def alarm_severity(tier: int) -> str:
    return f"tier{tier}"


@dataclass(frozen=True, slots=True)
class OperatorNote:
    """An entry the operator writes into the shift log (who, from which console, what)."""

    actor: str
    text: str


@dataclass(frozen=True, slots=True)
class Acknowledge:
    """ISA-18.2 acknowledgement of alarms as the operator saw them: (alarm id, seq of its latest transition)."""

    actor: str
    alarms: tuple[tuple[str, int], ...]
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Shelve:
    """ISA-18.2 shelving with a reason, for `duration_s` or, with None, until the alarm clears."""

    actor: str
    alarm_id: str
    reason: str
    duration_s: float | None


@dataclass(frozen=True, slots=True)
class Unshelve:
    actor: str
    alarm_id: str


@dataclass(frozen=True, slots=True)
class ResetAlarm:
    """Reset a latched alarm that has returned and been acknowledged."""

    actor: str
    alarm_id: str


@dataclass(frozen=True, slots=True)
class SuspendPermit:
    """Stop the work of a permit now; the reason is told to its people and journaled (required)."""

    actor: str
    permit_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class SuspendPermits:
    """Stop the work of several permits at once, with one reason: an incident's "suspend all" of the running
    work in or near its danger area. One audited action; each permit's suspension journaled in its
    transaction."""

    actor: str
    permits: tuple[str, ...]
    reason: str
    incident_id: str = ""  # the incident it was asked from ("": none)


@dataclass(frozen=True, slots=True)
class ResumePermit:
    """Restart suspended work (needs a new passing gas test and guardian check-in since the stop). While
    tier-1 alarms are active in the permit's zone it overrides them: `reason` is required, and where the site
    says so (`[hazard_override] second_person`) a second person confirms with their password. `seen`: the
    alarms' occurrences its confirmation showed; one active now that is not among them refuses it."""

    actor: str
    permit_id: str
    reason: str = ""
    second_user: str = ""
    password: str = field(default="", repr=False)
    seen: tuple[Occurrence, ...] = ()


@dataclass(frozen=True, slots=True)
class ClosePermit:
    actor: str
    permit_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SubmitPermit:
    """Send a draft permit for approval (refused with the reasons while it is incomplete)."""

    actor: str
    permit_id: str


@dataclass(frozen=True, slots=True)
class ApprovePermit:
    """Sign the permit's next approval step as `role` (GB 30871 routes the steps by category and grade),
    an electronic signature: outside DEMO the core checks the signer's password."""

    actor: str
    permit_id: str
    role: str
    signature: Signature | None = None


@dataclass(frozen=True, slots=True)
class RecordGasTest:
    """The gas tester's readings at the work location ({measure: value}), judged against the permit's limits."""

    actor: str
    permit_id: str
    readings: tuple[tuple[str, float], ...]
    tester: str


@dataclass(frozen=True, slots=True)
class CheckInGuardian:
    """Check the permit's guardian in where their wearable places them (GB 30871: within 50 m)."""

    actor: str
    permit_id: str


@dataclass(frozen=True, slots=True)
class ActivatePermit:
    """Start the work; like a resume, it overrides tier-1 alarms active in the permit's zone (see there)."""

    actor: str
    permit_id: str
    reason: str = ""
    second_user: str = ""
    password: str = field(default="", repr=False)
    seen: tuple[Occurrence, ...] = ()


@dataclass(frozen=True, slots=True)
class AssignResponder:
    """Send a responder to a wearer's SOS or man-down (after it is acknowledged): a site worker's id, or a
    typed name (e.g. the fire brigade's crew) of at most RESPONDER_MAX_CHARS."""

    actor: str
    alarm_id: str
    responder: str


@dataclass(frozen=True, slots=True)
class ResponderOnScene:
    actor: str
    alarm_id: str


@dataclass(frozen=True, slots=True)
class ResolveWearableAlarm:
    """The responder's resolution: the only thing that clears a latched SOS or man-down alarm. Says what
    was found (`resolution`) and, in notes of at most NOTES_MAX_CHARS, what was done."""

    actor: str
    alarm_id: str
    notes: str
    resolution: Resolution
    signature: Signature | None = None  # an electronic signature: outside DEMO the password is checked


@dataclass(frozen=True, slots=True)
class StartMuster:
    """Evacuation: from now on each worker seen at a muster point counts as accounted for."""

    actor: str


@dataclass(frozen=True, slots=True)
class StopMuster:
    """The muster ends; `missing` names who the operator was told were still missing when they confirmed
    (audited with the command)."""

    actor: str
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountForWorker:
    """A warden's head count: this worker is safe although no muster point has seen their wearable; the
    reason (who saw them, where) is required and journaled."""

    actor: str
    worker_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class IsolateZone:
    """Maintenance isolation of a zone (ISA-18.2 suppression by design): with `isolated`, its alarms are
    suppressed for `duration_s` (required, at most the site's `max_shelve_s`) for `reason` (required, plain
    text, at most MAX_REASON_CHARS), then return by themselves; without, an isolation in force ends now."""

    actor: str
    zone: str
    isolated: bool
    reason: str = ""
    duration_s: float | None = None


@dataclass(frozen=True, slots=True)
class MarkFalseDetection:
    """The operator looked at the camera and the video-AI detection `detection` (its id) was false: a shadow, a
    reflection. `reason` (required) says what the camera showed; the seeds' AI false-alarm rate counts these."""

    actor: str
    detection: str
    reason: str


@dataclass(frozen=True, slots=True)
class RemoveFromService:
    """Take an alarm out of service (e.g. its detector is being replaced): privileged, with a reason."""

    actor: str
    alarm_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReturnToService:
    actor: str
    alarm_id: str


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A PA call: a site preset or typed plain text (one, not both), in `lang` ("zh" or "en"), at `priority`
    (emergency, evacuation, warning, information), played `repeat` times in the PA zones `zones` (empty: all)
    and sent to the wearables of the workers in them."""

    actor: str
    priority: str
    zones: tuple[str, ...] = ()
    preset: str = ""
    text: str = ""
    lang: str = "zh"
    repeat: int = 1


@dataclass(frozen=True, slots=True)
class ArmInterlock:
    """Select an interlock to trip it (IEC 61850 select-before-operate): says what it will do, the feedback
    now and who may execute; the selection lapses after the interlock's `select_timeout_s`."""

    actor: str
    interlock_id: str


@dataclass(frozen=True, slots=True)
class ResetInterlock:
    """Select an interlock to return it to normal; executed like a trip (written, feedback supervised)."""

    actor: str
    interlock_id: str


@dataclass(frozen=True, slots=True)
class ExecuteInterlock:
    """Write what the actor armed to the command node, then supervise the feedback for `timeout_s`. A return
    to normal while tier-1 alarms are active in the interlock's zone overrides them: `reason` is required, and
    `seen` names the occurrences its confirmation showed (one active now that is not among them refuses it)."""

    actor: str
    interlock_id: str
    reason: str = ""
    seen: tuple[Occurrence, ...] = ()


@dataclass(frozen=True, slots=True)
class CancelInterlock:
    """Drop an interlock's selection without writing anything."""

    actor: str
    interlock_id: str


@dataclass(frozen=True, slots=True)
class ConfirmSecondPerson:
    """Perform-and-verify: a second person with an allowed role confirms an armed two-person interlock with
    their own password (checked in the user store, never audited or logged). `seen`: the occurrences of the
    tier-1 alarms its confirmation showed them; where the site asks a second person for an override, theirs
    covers those alone (an execution overriding another is refused until they confirm again)."""

    actor: str
    interlock_id: str
    second_user: str
    password: str = field(repr=False)
    seen: tuple[Occurrence, ...] = ()


@dataclass(frozen=True, slots=True)
class DismissInterlockRequest:
    """Decline an interlock a site rule requested (the request is audited, and so is its dismissal)."""

    actor: str
    interlock_id: str


@dataclass(frozen=True, slots=True)
class StartHandover:
    """Freeze the shift handover (Hexagon j5's "start handover") from the outgoing lead (the actor) to the
    incoming lead `incoming` (a user name), for since..until (None: this shift by the config's pattern, until
    now)."""

    actor: str
    incoming: str
    since: float | None = None
    until: float | None = None


@dataclass(frozen=True, slots=True)
class FlagHandoverItem:
    """An item that comes back at every handover until it is cleared (plain text, at most FLAG_MAX_CHARS)."""

    actor: str
    text: str


@dataclass(frozen=True, slots=True)
class ClearHandoverFlag:
    actor: str
    flag_id: str


@dataclass(frozen=True, slots=True)
class SignHandover:
    """A lead's electronic signature on a handover's snapshot: `side` "outgoing" or "incoming", signed by
    that side's lead `signer` (empty: the actor) with their password, at the console of the actor."""

    actor: str
    handover_id: str
    side: str
    signer: str = ""
    signature: Signature | None = None


@dataclass(frozen=True, slots=True)
class FinaliseHandover:
    """Lock a handover both leads have signed and write its PDF; a correction is a new handover."""

    actor: str
    handover_id: str


@dataclass(frozen=True, slots=True)
class DeclareIncident:
    """Declare an incident (issue 17, after ICS-201): of `type` (console.server.incidents.TYPES) and
    `severity` (SEVERITIES there), in `zone` or around the point (x, y) within `radius_m` metres, from the
    live alarm `from_alarm` (an SOS or a tier-1 alarm: its zone unless `zone` is given) or by hand (""), with
    its incident commander and safety officer named (user names)."""

    actor: str
    type: str
    severity: str
    commander: str
    safety_officer: str
    zone: str = ""
    x: float | None = None
    y: float | None = None
    radius_m: float | None = None
    from_alarm: str = ""


@dataclass(frozen=True, slots=True)
class TransferIncidentCommand:
    """Hand the command of an open incident to `commander` (a user name), saying why."""

    actor: str
    incident_id: str
    commander: str
    reason: str


@dataclass(frozen=True, slots=True)
class AddIncidentObjective:
    actor: str
    incident_id: str
    text: str


@dataclass(frozen=True, slots=True)
class AddIncidentNote:
    """A note on an incident's timeline; nothing on it is ever edited: a correction is a new note."""

    actor: str
    incident_id: str
    text: str


@dataclass(frozen=True, slots=True)
class CloseIncident:
    """Close an open incident with a reason; closed, it is read-only until reopened."""

    actor: str
    incident_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReopenIncident:
    actor: str
    incident_id: str
    reason: str


IncidentCommand = (  # carried out by console.server.incident_commands
    DeclareIncident
    | TransferIncidentCommand
    | AddIncidentObjective
    | AddIncidentNote
    | CloseIncident
    | ReopenIncident
)

HandoverCommand = (  # carried out by console.server.handover
    StartHandover | FlagHandoverItem | ClearHandoverFlag | SignHandover | FinaliseHandover
)

InterlockCommand = (  # carried out by console.server.interlock_commands
    ArmInterlock
    | ResetInterlock
    | ExecuteInterlock
    | CancelInterlock
    | ConfirmSecondPerson
    | DismissInterlockRequest
)

SignedCommand = ApprovePermit | ResolveWearableAlarm | SignHandover  # electronic signatures (21 CFR 11.50)
FieldCommand = (  # carried out by console.field_operations
    SuspendPermit
    | SuspendPermits
    | ResumePermit
    | ClosePermit
    | SubmitPermit
    | ApprovePermit
    | RecordGasTest
    | CheckInGuardian
    | ActivatePermit
    | AssignResponder
    | ResponderOnScene
    | ResolveWearableAlarm
    | StartMuster
    | StopMuster
    | AccountForWorker
)
Command = (
    OperatorNote
    | Acknowledge
    | Shelve
    | Unshelve
    | ResetAlarm
    | IsolateZone
    | RemoveFromService
    | ReturnToService
    | MarkFalseDetection
    | Broadcast
    | FieldCommand
    | InterlockCommand
    | HandoverCommand
    | IncidentCommand
)


@dataclass(frozen=True, slots=True)
class CommandResult:
    ok: bool
    message: str


class Session(Protocol):
    """Read the live state (copies are cheap: numpy arrays), follow changes, send commands."""

    site: Site
    clock: Clock
    tags: TagTable
    trends: TrendBuffer  # the last hours of every tag (coarse), and of the tags trends watch (full rate)
    workers: WorkerTable
    limits: LimitArrays
    statuses: dict[str, SourceStatus]
    journal: JournalStatus  # is the store saving (its status bar line, its alarm)
    log: deque[LogEntry]
    alarms: AlarmService
    permits: PermitService
    responses: WearableResponses
    muster: Muster
    interlocks: InterlockService
    vision: VisionMarks  # recent video-AI detections and the operators' false marks
    handovers: HandoverService
    incidents: IncidentService

    def subscribe(self, topic: Topic, callback: Callable[[Any], None]) -> Callable[[], None]: ...

    def muster_missing(self) -> list[MissingWorker]:
        """The muster's missing now, most urgent first (none while no muster runs)."""
        ...

    async def command(self, command: Command) -> CommandResult: ...
