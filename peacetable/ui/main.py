"""Start the facilitator console: ``peacetable`` [SESSION.peacetable | SCENARIO.toml].

``run_gui`` creates the application, installs a last-resort error handler (an unexpected
exception is logged with its traceback and shown in a dialog; the window stays up and
the session file is untouched, since every event was already written), shows the main
window and then opens the file given on the command line.

``PEACETABLE_BENCH_EXIT_ON_SHOW=1`` makes the app print ``PEACETABLE_SHOWN <unix time>``
when the main window is first exposed on screen, and quit: ``bench/bench_start.py`` uses
it to time start-up.
"""

from __future__ import annotations

import os
import sys
import time
import traceback

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from . import style

BENCH_ENV = "PEACETABLE_BENCH_EXIT_ON_SHOW"
_in_hook = False


def configure_application(app: QApplication) -> None:
    """Names (for QSettings), settings format, style: shared by the app and tests. The
    icon is set once the first window is on screen (``MainWindow``): loading it is not
    needed for the first frame."""
    # Qt's raster engine hands every fill of 96 lines or more to a pool of threads and
    # waits for them; for the window's fills (a table's rows, a scroll bar, a strip of a
    # chart) the hand-off costs more than the fill, and far more on a busy machine. Read
    # by Qt once, before anything is painted.
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
    QCoreApplication.setOrganizationName("PeaceTable")
    QCoreApplication.setApplicationName("PeaceTable")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    app.setDesktopFileName("peacetable")
    style.apply(app)


def report_unexpected(exc_type, exc, tb) -> None:
    """Log an unexpected exception and show it in a dialog; never raise."""
    global _in_hook
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    where = None
    try:
        from ..logs import log_exception

        if exc is not None and exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        where = log_exception(exc)
    except Exception:  # logging itself failed: still tell the user
        pass
    traceback.print_exception(exc_type, exc, tb, file=sys.stderr)
    if _in_hook or QApplication.instance() is None:
        return
    _in_hook = True
    try:
        from .messages import QMessageBox, message

        message(QApplication.activeWindow(), QMessageBox.Icon.Critical, "Unexpected error",
                f"Something went wrong inside PeaceTable:\n{exc_type.__name__}: {exc}\n\n"
                "The session is safe: every change was saved as it happened."
                + (f"\n\nThe details were written to {where}." if where else ""),
                "".join(traceback.format_exception(exc_type, exc, tb)))
    except Exception:
        pass
    finally:
        _in_hook = False


def install_excepthook() -> None:
    sys.excepthook = report_unexpected


def run_gui(path: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1] + style.QT_ARGS)
    configure_application(app)
    install_excepthook()

    from .main_window import MainWindow

    win = MainWindow()
    mode = os.environ.get(BENCH_ENV)
    if mode == "visuals":  # smoke test of a build: do the chart and network views load?
        def loaded() -> None:
            errors = "; ".join(f"{k}: {e}" for k, e in win.visual_errors.items())
            print(f"PEACETABLE_VISUALS {errors or 'ok'}", flush=True)
            app.exit(1 if errors else 0)

        win.visualsLoaded.connect(loaded)
        win.show()
        if path:
            QTimer.singleShot(0, lambda: win.open_path(path))
        return app.exec()
    if mode:
        def shown() -> None:
            print(f"PEACETABLE_SHOWN {time.time():.6f}", flush=True)
            app.quit()

        win.firstShown.connect(shown)
        win.show()
        return app.exec()

    wake = QTimer()
    wake.timeout.connect(lambda: None)

    def after_first_frame() -> None:  # the log file and Ctrl+C are not urgent
        import signal

        from ..logs import setup

        setup()
        # Ctrl+C in the terminal closes the window cleanly (Python sees signals between
        # events, which this timer provides)
        signal.signal(signal.SIGINT, lambda *_a: win.close())
        wake.start(500)

    win.firstShown.connect(lambda: QTimer.singleShot(0, after_first_frame))
    win.show()
    if path:
        QTimer.singleShot(0, lambda: win.open_path(path))
    return app.exec()
