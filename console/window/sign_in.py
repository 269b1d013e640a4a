"""Signing in and out at the window: at start, at a shift change (switch user), and the lock after
inactivity; the first run's administrator when the store has no user at all.

The password is checked by the core's `Accounts` (in the store, on a worker thread, audited there); this
module only opens the dialogs, keeps `SignedIn` up to date and tells the person what happened. While the
console is locked the user is signed out in the core (its commands are refused there), and the window-modal
lock dialog leaves the map, the alarm list and the horn running behind it. Qt thread (the core's loop).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Qt

from console.server.accounts import Accounts
from console.window.idle_watch import IdleWatch
from console.window.signed_in import SignedIn
from integrations.users import ROLES, AccountError, LoginResult
from widgets.sign_in.sign_in_dialogs import FirstAdminDialog, SignInDialog, _AskingDialog

log = logging.getLogger(__name__)


class SignInFlow(QObject):
    """The dialogs around `SignedIn`; `dialog` is the one open now (tests drive it)."""

    def __init__(
        self,
        accounts: Accounts,
        user: SignedIn,
        window: QObject,
        demo_user: str,
        lock_after_s: float,
        log: Callable[[str, str, str], object],
    ) -> None:
        super().__init__(window)
        self.accounts, self.user, self.window, self.log = accounts, user, window, log
        self.demo_user = demo_user
        self.dialog: _AskingDialog | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.idle: IdleWatch | None = None
        if not user.demo and lock_after_s > 0:
            self.idle = IdleWatch(lock_after_s, self)
            self.idle.idle.connect(self.lock)

    def start(self) -> None:
        """DEMO: the configured demo user, every role, at once. Otherwise the sign-in dialog, or the first
        administrator's when the store has no user."""
        if self.user.demo:
            self.user.set_user(self.demo_user, self.demo_user, ROLES)
            return
        if self.idle is not None:
            self.idle.start()
        self._run(self._first_dialog())

    async def _first_dialog(self) -> None:
        if await self.accounts.has_users():
            self.sign_in()
        else:
            self._open(FirstAdminDialog(self.window), self._create_admin)

    def sign_in(self, intro: str = "") -> None:
        """The sign-in dialog (Escape leaves it: the window stays, saying nobody is signed in and how to
        sign in: User → Sign in…)."""
        dialog = SignInDialog(
            self.tr("Sign in"),
            intro or self.tr("This console requires sign-in: every command is signed with your name."),
            parent=self.window,
        )
        self._open(dialog, lambda name, password: self._sign_in(dialog, name, password))

    def switch_user(self) -> None:
        """A shift change: the next user signs in; the one before is signed out once they have. With nobody
        signed in (the sign-in at start was left), the sign-in: the first run's if there is still no user."""
        if self.user.demo:
            return
        if self.user.locked:
            return  # the lock dialog is open: another user signs in there
        if not self.user.name:
            self._run(self._first_dialog())
            return
        intro = self.tr("The next user signs in; {user} is signed out once they have.").format(
            user=self.user.name
        )
        dialog = SignInDialog(self.tr("Switch user"), intro, parent=self.window)
        self._open(dialog, lambda name, password: self._sign_in(dialog, name, password))

    def lock(self) -> None:
        """Lock the console (inactivity, or asked for): the user is signed out in the core until the
        password is given again; another user signing in there is a switch of user."""
        if self.user.demo or not self.user.name or self.user.locked:
            return
        name = self.user.name
        self.user.set_locked(True)
        self.log("action", name, "console locked: signed out until the password is given again")
        self._run(self.accounts.sign_out(name, "console locked"))
        dialog = SignInDialog(
            self.tr("Console locked"),
            self.tr(
                "Locked: the plant, the alarms and their sound carry on. Commands need the password "
                "again; another user signing in here takes over the console."
            ),
            name,
            cancellable=False,
            parent=self.window,
        )
        dialog.setObjectName("LockDialog")
        self._open(dialog, lambda n, password: self._sign_in(dialog, n, password))

    async def close(self) -> None:
        """The console closes: the user is signed out (audited), any dialog closed."""
        if self.idle is not None:
            self.idle.stop()
        if self.dialog is not None:
            self.dialog.done(0)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if not self.user.demo and self.user.name and not self.user.locked:
            await self.accounts.sign_out(self.user.name, "console closed")

    def _sign_in(self, dialog: SignInDialog, name: str, password: str) -> None:
        self._run(self._check(dialog, self.accounts.sign_in(name, password)))

    def _create_admin(self, name: str, full_name: str, password: str) -> None:
        dialog = self.dialog
        assert isinstance(dialog, FirstAdminDialog)
        self._run(self._first_admin(dialog, self.accounts.create_first_admin(name, full_name, password)))

    async def _first_admin(self, dialog: FirstAdminDialog, attempt: Coroutine[Any, Any, LoginResult]) -> None:
        """The first administrator created and signed in; refused because a user was added meanwhile
        (`controlroom users add` at a terminal, another console's first run), the sign-in instead: the
        first-run dialog cannot be left, so it must never stay once it can no longer succeed."""
        if await self._check(dialog, attempt) or not await self.accounts.has_users():
            return
        self.sign_in(
            self.tr("A user was added meanwhile (controlroom users add): sign in with that account.")
        )

    async def _check(self, dialog: _AskingDialog, attempt: Coroutine[Any, Any, LoginResult]) -> bool:
        """The outcome of a sign-in: the new user, and the one before signed out; or why not (False)."""
        try:
            result = await attempt
        except AccountError as exc:
            dialog.refused(str(exc))
            return False
        except Exception as exc:  # the store did not answer: say so, the dialog stays for another try
            log.exception("sign-in not checked")
            dialog.refused(self.tr("Not checked, the database did not answer: {0}").format(exc))
            return False
        if not result.ok or result.user is None:
            dialog.refused(result.reason)
            if result.reason.startswith("locked until"):  # a lockout is for the shift to see
                self.log("warning", "sign-in", f"sign-in refused: {result.reason}")
            return False
        before = self.user.name if not self.user.locked else ""
        new = result.user
        if before and before != new.name:
            await self.accounts.sign_out(before, f"switched to {new.name}")
        self.user.set_user(new.name, new.full_name, new.roles)
        roles = ", ".join(sorted(r.replace("_", " ") for r in new.roles))
        self.log("action", new.name, f"signed in ({new.full_name}; {roles})")
        if self.idle is not None:
            self.idle.touch()
        dialog.accept()
        return True

    def _open(self, dialog: _AskingDialog, on_submit: Any) -> None:
        if self.dialog is not None and self.dialog is not dialog:
            self.dialog.done(0)
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(on_submit)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None) if self.dialog is dialog else None)
        dialog.open()

    def _run(self, coro: Coroutine[Any, Any, object]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("sign-in step failed", exc_info=task.exception())
