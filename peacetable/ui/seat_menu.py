"""The Seats menu: private messages from the console, seats on one laptop, solo play.

Kept light (Qt only) because the main window builds its menus at start-up; the seat
windows and dialogs (:mod:`peacetable.ui.seats`, :mod:`peacetable.ui.solo`) are imported
when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore

from . import messages

if TYPE_CHECKING:  # pragma: no cover
    from .seats import MessageDialog, SeatSetupDialog, SeatWindow
    from PySide6.QtGui import QAction


class SeatsController:
    """The Seats menu of the main window and the switch between console and seats."""

    def __init__(self, window):
        self.window = window
        self.seat_window: SeatWindow | None = None
        self.solo_window = None
        mb = window.menuBar()
        self.menu = mb.addMenu("&Seats")
        # before Help, if it is there
        actions = mb.actions()
        help_action = next((a for a in actions if a.text().replace("&", "") == "Help"), None)
        if help_action is not None:
            mb.insertMenu(help_action, self.menu)

        def action(text: str, slot, shortcut: str | None = None, tip: str = "") -> QAction:
            a = window._action(text, slot, shortcut, tip)  # the window's one action builder
            self.menu.addAction(a)
            return a

        self.message_action = action("Send a private &message…", self.send_message,
                                     "Ctrl+Shift+M", "A message only its recipients and control "
                                                     "will read")
        self.menu.addSeparator()
        self.setup_action = action("Seats on this &laptop…", self.setup,
                                   tip="Choose the teams that play at this laptop and their PINs")
        self.hand_action = action("&Hand the laptop to the seats", self.hand_over,
                                  tip="Each team sees only its own seat; the console needs its PIN")
        self.menu.addSeparator()
        self.solo_action = action("&Solo play against bots…", self.solo,
                                  tip="Pick a scenario and a role; bots play the other roles")
        self.session_actions = [self.message_action, self.setup_action, self.hand_action]
        window.bridge.sessionChanged.connect(self._session_changed)
        self._session_changed(window.bridge.session)

    def _session_changed(self, session) -> None:
        writable = session is not None and not self.window.bridge.readonly
        for a in self.session_actions:
            a.setEnabled(writable)

    # ------------------------------------------------------------------ actions
    def send_message(self) -> MessageDialog | None:
        from .seats import MessageDialog

        if self.window.session is None:
            return None
        dlg = MessageDialog(self.window.bridge, self.window)
        dlg.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.message_dialog = dlg
        return dlg

    def load_plan(self):
        from ..app.seats import SeatPlan, SeatsError, load_plan

        s = self.window.session
        if s is None:
            return None
        try:
            return load_plan(s)
        except SeatsError as exc:
            messages.show_error(self.window, "Seats", f"{exc}\n\nSet up the seats again "
                                "(Seats > Seats on this laptop).")
            return SeatPlan()

    def setup(self) -> SeatSetupDialog | None:
        from .seats import SeatSetupDialog

        s = self.window.session
        if s is None:
            return None
        dlg = SeatSetupDialog(s, self.load_plan(), self.window)
        dlg.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.accepted.connect(lambda: dlg.hand_over_now and self.enter_seats(dlg.result_plan))
        self.setup_dialog = dlg
        dlg.open()
        return dlg

    def hand_over(self) -> SeatWindow | None:
        plan = self.load_plan()
        if plan is None:
            return None
        if not plan.seats:
            self.setup()
            return None
        return self.enter_seats(plan)

    def solo(self):
        from .solo import SoloSetupDialog

        dlg = SoloSetupDialog(self.window, on_start=self._solo_started)
        dlg.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self.solo_dialog = dlg
        dlg.open()
        return dlg

    def _solo_started(self, solo) -> None:
        """The student sees only their seat: the console steps aside until the game is
        closed."""
        self.solo_window = solo
        solo.setGeometry(self.window.geometry())
        solo.closed.connect(self._solo_closed)
        self.window.hide()

    def _solo_closed(self) -> None:
        self.solo_window = None
        self.window.show()

    # ------------------------------------------------------------------ switching
    def session_opened(self, session) -> bool:
        """After a session is shown: if its laptop was handed to the seats, go back to the
        hand-over screen (the console needs the control PIN). True if it did."""
        if self._resume_solo(session):
            return True
        plan = self.load_plan()
        if plan is not None and plan.handed_over and plan.seats:
            self.enter_seats(plan)
            return True
        return False

    def _resume_solo(self, session) -> bool:
        """A solo game opens at the student's seat again (the bots carry on); the console
        lets go of the session."""
        from ..app.seats import SeatsError, load_solo

        if self.window.bridge.readonly:
            return False
        try:
            solo = load_solo(session)
        except SeatsError as exc:
            messages.show_error(self.window, "Solo game", f"{exc}\n\nThe session opens in the "
                                "console instead.")
            return False
        if solo is None:
            return False
        from .solo import SoloWindow

        role, bots, seed = solo
        w = self.window
        w.bridge.set_session(None)  # handed to the game window, which closes it at the end
        w.timer.stop()
        w.pages.setCurrentWidget(w.welcome)
        try:
            game = SoloWindow(session, role, bots, seed=seed)
        except Exception as exc:
            session.close()
            messages.show_error(w, "Solo game", f"The game could not be resumed: {exc}")
            return True
        self._solo_started(game)
        game.show()
        return True

    def enter_seats(self, plan) -> SeatWindow | None:
        from ..app.seats import hand_over
        from .seats import SeatWindow

        s = self.window.session
        if s is None or plan is None:
            return None
        if not (self.window.bridge.readonly and plan.handed_over):
            # (a read-only copy of a handed-over session goes to the seats as it is)
            try:
                plan = hand_over(s, plan, True)
            except Exception as exc:  # a bad plan or a storage failure: say so, stay here
                messages.show_error(self.window, "Seats", str(exc))
                return None
        if self.seat_window is not None:
            self.seat_window.plan = plan
            self.seat_window.show_privacy()
        else:
            w = SeatWindow(self.window.bridge, plan)
            w.controlRequested.connect(self.back_to_console)
            w.closed.connect(self._seat_window_closed)
            w.setGeometry(self.window.geometry())
            self.seat_window = w
        self.seat_window.show()
        self.window.hide()
        return self.seat_window

    def back_to_console(self) -> None:
        from ..app.seats import hand_over

        s = self.window.session
        w = self.seat_window
        self.seat_window = None
        if s is not None and w is not None and not self.window.bridge.readonly:
            try:
                hand_over(s, w.plan, False)
            except Exception as exc:
                messages.show_error(self.window, "Seats", str(exc))
        self.window.show()
        if w is not None:
            w.closed.disconnect(self._seat_window_closed)
            w.close()
            w.deleteLater()

    def _seat_window_closed(self) -> None:
        """Closing the students' window closes PeaceTable (everything is saved already);
        the session reopens at the hand-over screen."""
        self.seat_window = None
        self.window.close()
