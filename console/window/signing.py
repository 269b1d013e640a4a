"""Signing a command in the window: the signature dialog with what it means, then the command carrying
the password to the core, which checks it. The dialog stays open until the core answers: a wrong password
is said there (and counted towards the lockout), a signed command closes it. Qt thread only.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from console.server.session import CommandResult, SignedCommand
from console.server.signatures import Signature
from console.window.command_runner import CommandRunner
from console.window.signed_in import SignedIn
from widgets.sign_in.sign_in_dialogs import SignatureDialog


def sign_and_send(
    parent: QWidget,
    user: SignedIn,
    runner: CommandRunner,
    subject: str,
    meaning: str,
    command: Callable[[Signature], SignedCommand],
    on_result: Callable[[CommandResult], None],
    signer: str = "",
) -> SignatureDialog:
    """Open the signature dialog for `subject`; on Sign, send `command(signature)`; `on_result` gets every
    outcome. Returns the dialog (open). `signer`: who signs, as they read (default: the signed-in user; a
    handover's incoming lead signs at the outgoing lead's console)."""
    if not signer:
        signer = f"{user.full_name} ({user.name})" if user.full_name != user.name else user.name
    dialog = SignatureDialog(subject, meaning, signer, user.demo, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answered(result: CommandResult) -> None:
        on_result(result)
        if result.ok:
            dialog.accept()
        else:
            dialog.refused(result.message)

    dialog.submitted.connect(lambda password: runner.send(command(Signature(password)), answered))
    dialog.open()
    return dialog
