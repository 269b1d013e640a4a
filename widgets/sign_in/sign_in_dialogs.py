"""The sign-in dialogs: sign in (at start, to switch user, to unlock a locked console) and the first run's
administrator. They only ask; the console checks the password in the store and answers with `refused`.

Opened with `open()`, window-modal: the live map, the alarm list and the alarm sound carry on behind them.
A password field is emptied after every try, so a password never waits in a widget. Qt thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from widgets.common.plain_text import ElidedLabel


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class _AskingDialog(QDialog):
    """A dialog that sends what was typed and waits for the console's answer (the OK button greyed)."""

    def __init__(
        self, title: str, intro: str, ok_text: str, cancellable: bool, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(34 * self.fontMetrics().horizontalAdvance("M"))
        self.cancellable = cancellable
        self.intro = ElidedLabel(intro, lines=None)
        self.message = ElidedLabel(lines=None)  # the console's answer: wrong password, locked until …
        self.message.setObjectName("SignInMessage")
        font = self.message.font()
        font.setBold(True)
        self.message.setFont(font)
        self.form = QFormLayout()
        buttons = QDialogButtonBox()
        self.ok_button: QPushButton = buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.clicked.connect(self._submit)
        self.cancel_button: QPushButton | None = None
        if cancellable:
            self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
            self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        # Enter submits: made the default only now that it is in the dialog, so the dialog keeps it as its
        # default (made default before, the focus passing over any button took Enter away for good)
        self.ok_button.setDefault(True)

    def reject(self) -> None:
        """Escape closes only a dialog that may be left (never the lock)."""
        if self.cancellable:
            super().reject()

    def refused(self, why: str) -> None:
        """The console's answer to a try that did not succeed: shown, and the OK button back."""
        self.message.setText(why)
        self.ok_button.setEnabled(True)

    def _submit(self) -> None:
        problem = self._problem()
        if problem:
            self.message.setText(problem)
            return
        self.ok_button.setEnabled(False)
        self.message.setText(self.tr("Checking…"))
        self._send()

    def _problem(self) -> str:
        raise NotImplementedError

    def _send(self) -> None:
        raise NotImplementedError


class SignInDialog(_AskingDialog):
    """User name and password; `submitted(name, password)`, answered by `refused(why)` or `accept()`."""

    submitted = Signal(str, str)

    def __init__(
        self,
        title: str,
        intro: str,
        name: str = "",
        *,
        cancellable: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, intro, self.tr("Sign in"), cancellable, parent)
        self.setObjectName("SignInDialog")
        self.name_edit = QLineEdit(name)
        self.password_edit = _password_edit()
        self.form.addRow(self.tr("User"), self.name_edit)
        self.form.addRow(self.tr("Password"), self.password_edit)
        (self.password_edit if name else self.name_edit).setFocus()

    def _problem(self) -> str:
        if not self.name_edit.text().strip():
            return self.tr("Type your user name.")
        return "" if self.password_edit.text() else self.tr("Type your password.")

    def _send(self) -> None:
        password = self.password_edit.text()
        self.password_edit.clear()
        self.submitted.emit(self.name_edit.text().strip(), password)


class FirstAdminDialog(_AskingDialog):
    """The first run of a site that requires sign-in, with no user at all: the first administrator's name,
    full name and password (typed twice); `submitted(name, full_name, password)`."""

    submitted = Signal(str, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("First run: create the administrator"),
            self.tr(
                "This console requires sign-in and has no user yet. Create the first administrator "
                "(they also lead the shift); add the others with `controlroom users add`."
            ),
            self.tr("Create and sign in"),
            False,
            parent,
        )
        self.setObjectName("FirstAdminDialog")
        self.name_edit = QLineEdit()
        self.full_name_edit = QLineEdit()
        self.password_edit = _password_edit()
        self.again_edit = _password_edit()
        self.form.addRow(self.tr("User name"), self.name_edit)
        self.form.addRow(self.tr("Full name"), self.full_name_edit)
        self.form.addRow(self.tr("Password"), self.password_edit)
        self.form.addRow(self.tr("Password again"), self.again_edit)
        self.name_edit.setFocus()  # the typing goes where the form starts, not to the button

    def _problem(self) -> str:
        if not self.name_edit.text().strip() or not self.full_name_edit.text().strip():
            return self.tr("Type the user name and the full name.")
        if self.password_edit.text() != self.again_edit.text():
            self.again_edit.clear()
            return self.tr("The two passwords differ: type them again.")
        return ""

    def _send(self) -> None:
        password = self.password_edit.text()
        self.password_edit.clear()
        self.again_edit.clear()
        self.submitted.emit(self.name_edit.text().strip(), self.full_name_edit.text().strip(), password)


class SignatureDialog(_AskingDialog):
    """An electronic signature (21 CFR 11.50/11.200): what is signed and what it means, who signs, and
    their password; `submitted(password)`. In DEMO no password is asked (the demo user has no account)."""

    submitted = Signal(str)

    def __init__(
        self, subject: str, meaning: str, signer: str, demo: bool, parent: QWidget | None = None
    ) -> None:
        intro = self.tr("{subject}\nSigned by {signer}, now, meaning: {meaning}.").format(
            subject=subject, signer=signer, meaning=meaning
        )
        if demo:
            intro += "\n" + self.tr("DEMO: signatures are not checked.")
        super().__init__(self.tr("Electronic signature"), intro, self.tr("Sign"), True, parent)
        self.setObjectName("SignatureDialog")
        self.demo = demo
        self.password_edit = _password_edit()
        if not demo:
            self.form.addRow(self.tr("Your password"), self.password_edit)
            self.password_edit.setFocus()

    def _problem(self) -> str:
        return "" if self.demo or self.password_edit.text() else self.tr("Type your password to sign.")

    def _send(self) -> None:
        password = self.password_edit.text()
        self.password_edit.clear()
        self.submitted.emit(password)
