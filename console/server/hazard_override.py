"""Re-energising or re-admitting work into a live hazard: the core's check before such a command.

Which commands: executing an interlock armed to return to normal (re-energising, re-opening a valve,
stopping ventilation: whatever the trip's protection was, undone), resuming a suspended permit and starting
a permit's work. A trip, the protective direction, is never held up. Which alarms: every tier-1 alarm whose
condition is active in the command's zone, acknowledged or not, and shelved, suppressed or out of service
alike (an SIS permissive does not care whether the operator hid the alarm); `AlarmService.hazards` is the
one query. Such a command is refused without a reason, naming the alarms; where the site says so
(`[hazard_override] second_person`) a second person confirms it too: on the interlock's selection, as for a
two-person interlock (checked by the interlock service, where their confirmation covers the occurrences it
showed them: an execution overriding another is refused and waits for them again), or with the permit
command (checked here, by the same `second_person_refusal`: their name and password travel with the
command, so they confirm what it shows). The command names the alarms' occurrences its confirmation showed
(`seen`): one active now that is not among them (raised since the confirmation's last refresh, or raised
again) refuses it, naming it, so that nothing is overridden unseen; the window then shows it and the operator
confirms again. The command's audit entry keeps the alarms it overrode and the reason.

Runs on the core's loop thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.server.accounts import Accounts
from console.server.alarm_service import AlarmService
from console.server.hazard_words import reason_refusal, unseen_refusal
from console.server.interlock_service import InterlockService
from console.server.permissions import Access
from console.server.permit_service import PermitService
from console.server.second_person import second_person_refusal
from console.server.session import ActivatePermit, Command, ExecuteInterlock, ResumePermit
from plant_maps.alarm_zones import Hazard
from plant_maps.site import Site

Overriding = ExecuteInterlock | ResumePermit | ActivatePermit  # the commands that may override


@dataclass(frozen=True, slots=True)
class Override:
    """What `command` does, in words, the name of its zone, and the live tier-1 alarms it overrides."""

    command: Overriding
    what: str
    zone_name: str
    hazards: tuple[Hazard, ...]


class OverrideCheck:
    """Finds what a command would override and refuses it without what the override needs."""

    def __init__(
        self,
        site: Site,
        alarms: AlarmService,
        interlocks: InterlockService,
        permits: PermitService,
        access: Access,
        accounts: Accounts | None,
    ) -> None:
        self.site, self._alarms, self._interlocks, self._permits = site, alarms, interlocks, permits
        self._access, self._accounts = access, accounts

    def find(self, command: Command) -> Override | None:
        """The override `command` would make now; None when it overrides nothing."""
        match command:
            case ExecuteInterlock(_, interlock_id) if interlock_id in self._interlocks.interlocks:
                zone = self._interlocks.interlocks[interlock_id].zone
                what = f"returning {interlock_id} to normal"
                hazards = self._interlocks.overrides(interlock_id)
            case ResumePermit(_, permit_id) | ActivatePermit(_, permit_id) if permit_id in self._known():
                zone = self._permits.status(permit_id).permit.zone
                verb = (
                    "resuming permit" if isinstance(command, ResumePermit) else "starting the work of permit"
                )
                what = f"{verb} {permit_id}"
                hazards = self._alarms.hazards([zone])
            case _:
                return None
        if not hazards:
            return None
        name = self.site.zone(zone).name if zone in self.site.zone_index else zone
        return Override(command, what, name, hazards)

    async def refusal(self, override: Override) -> str:
        """Why the override may not be made ("" when it may): its reason, a permit's second person, and an
        alarm active now that its confirmation did not show (checked last: alarms come in while the second
        person's password is checked)."""
        command = override.command
        refusal = reason_refusal(override.what, override.zone_name, override.hazards, command.reason)
        if (
            not refusal
            and isinstance(command, ResumePermit | ActivatePermit)
            and self.site.hazard_second_person
        ):
            refusal = await self._second_person_refusal(command, override.what)
        if refusal:
            return refusal
        now = self.find(command)
        hazards = now.hazards if now is not None else ()  # all cleared meanwhile: nothing unseen
        return unseen_refusal(override.what, override.zone_name, hazards, command.seen)

    async def _second_person_refusal(self, command: ResumePermit | ActivatePermit, what: str) -> str:
        """Where the site says so, a second person confirms a permit's override with their password."""
        verify = self._accounts.verify if self._accounts is not None else None
        refusal = await second_person_refusal(
            verify,
            self._access,
            command.second_user,
            command.password,
            others=(command.actor,),
            roles=self._access.table.get(type(command).__name__, frozenset()),
            what=what,
        )
        if refusal:
            return f"{what} over live tier-1 alarms needs a second person (site rule): {refusal}"
        return ""

    def _known(self) -> set[str]:
        return {s.id for s in self._permits.statuses()}
