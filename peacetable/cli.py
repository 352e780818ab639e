"""The ``peacetable`` command.

With no arguments, or with a session or scenario path, it opens the facilitator console.
Subcommands work headless. Errors are one clear line each and a non-zero exit, never a
traceback.
"""

from __future__ import annotations

import argparse
import json
import sys

COMMANDS = ("validate", "new", "play", "replay", "info", "analyze", "fork", "report")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="peacetable",
        description="Run staged negotiation exercises. With no command (or a .peacetable / "
                    ".toml path) the facilitator console opens.",
    )
    p.add_argument("--version", action="version", version=_version())
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("validate", help="check scenario files; one line per problem")
    s.add_argument("paths", nargs="+", metavar="PATH")

    s = sub.add_parser("new", help="start a session file from a scenario")
    s.add_argument("scenario", metavar="SCENARIO")
    s.add_argument("-o", "--output", required=True, metavar="SESSION.peacetable")
    s.add_argument("--seed", type=int, default=None, help="seed for dice rolls (default: random)")
    s.add_argument("--team", action="append", default=[], metavar="ROLE=TEAM",
                   help="name the team playing a role (repeatable)")
    s.add_argument("--title", default="", help="a title for this run of the exercise")

    s = sub.add_parser("play", help="apply a JSON-lines script of commands to a session")
    s.add_argument("session", metavar="SESSION")
    s.add_argument("script", metavar="SCRIPT.jsonl")

    s = sub.add_parser("replay", help="the state after an event, as text or stable JSON")
    s.add_argument("session", metavar="SESSION")
    s.add_argument("--at", type=int, default=None, metavar="N", help="event number (default: last)")
    s.add_argument("--json", action="store_true", help="print JSON with sorted keys")
    s.add_argument("--viewer", default="control",
                   help="control (default), audience, or a role id: what that viewer may see")

    s = sub.add_parser("info", help="scenario, roles, phase reached, event count, file health")
    s.add_argument("session", metavar="SESSION")

    s = sub.add_parser("analyze", help="bargaining and linkage analytics for a scenario or session")
    s.add_argument("path", metavar="SCENARIO|SESSION")
    s.add_argument("--at", type=int, default=None, metavar="N")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("fork", help="continue a session from an event as a new session file",
                       description="Write a new session file holding SESSION's record up to "
                                   "event N; it then continues live. SESSION is only read.")
    s.add_argument("session", metavar="SESSION", help="the session file to fork (only read)")
    s.add_argument("--at", type=int, required=True, metavar="N",
                   help="the last event the new session keeps (1 = just the start)")
    s.add_argument("-o", "--output", required=True, metavar="NEW.peacetable",
                   help="the new session file (must not exist yet)")

    s = sub.add_parser("report", help="after-action report of a session (.html, .pdf, .csv, .json)",
                       description="Write an after-action report of SESSION. The format follows "
                                   "the output's suffix: .html (one self-contained file), .pdf, "
                                   ".csv (the events) or .json (report data and events).")
    s.add_argument("session", metavar="SESSION", help="the session file to report on (only read)")
    s.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the report file: .html, .pdf, .csv or .json")
    s.add_argument("--viewer", default="control",
                   help="control (default: everything), audience, or a role id: the report shows "
                        "only what that viewer could see")
    s.add_argument("--force", action="store_true", help="replace FILE if it already exists")
    return p


def _version() -> str:
    from . import __version__

    return f"peacetable {__version__}"


def _fail(msg: str, code: int = 1) -> int:
    print(msg, file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
        return _gui(argv)
    args = _parser().parse_args(argv)
    try:
        return int(_dispatch(args) or 0)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:  # the reader went away (e.g. `| head`): not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug of ours: say so plainly, keep the details in the log
        from .logs import log_exception

        where = log_exception(exc)
        return _fail(f"peacetable: internal error: {type(exc).__name__}: {exc} "
                     f"(details in {where}); nothing was lost", 70)


def _gui(argv: list[str]) -> int:
    if len(argv) > 1:
        return _fail("usage: peacetable [SESSION.peacetable | SCENARIO.toml]  "
                     "(see 'peacetable --help' for commands)", 2)
    from .ui.main import run_gui

    return run_gui(argv[0] if argv else None)


def _dispatch(args: argparse.Namespace) -> int:
    from .app.session import Session
    from .domain.engine import Refused
    from .domain.loader import ScenarioError
    from .storage.session_file import SessionFileError

    cmd = args.command
    try:
        if cmd == "validate":
            return _validate(args.paths)
        if cmd == "new":
            teams = {}
            for t in args.team:
                role, sep, team = t.partition("=")
                if not sep or not role or not team:
                    return _fail(f"--team {t!r}: expected ROLE=TEAM", 2)
                teams[role] = team
            s = Session.create(args.scenario, args.output, seed=args.seed, teams=teams,
                               title=args.title)
            print(f"created {s.path} from {args.scenario} ({s.scenario.scenario.title}, "
                  f"seed {s.seed})")
            s.close()
            return 0
        if cmd == "play":
            return _play(args.session, args.script)
        if cmd == "replay":
            return _replay(args)
        if cmd == "info":
            return _info(args.session)
        if cmd == "analyze":
            return _analyze(args)
        if cmd == "fork":
            return _fork(args)
        if cmd == "report":
            return _report(args)
    except ScenarioError as exc:
        return _fail(str(exc))
    except SessionFileError as exc:
        return _fail(str(exc))
    except Refused as exc:
        return _fail(f"refused: {exc}")
    except BrokenPipeError:
        raise
    except OSError as exc:
        return _fail(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}")
    return 2


def _validate(paths: list[str]) -> int:
    from .domain.loader import ScenarioError, load_scenario

    bad = 0
    for path in paths:
        try:
            loaded = load_scenario(path)
        except ScenarioError as exc:
            bad += 1
            print(str(exc))
        else:
            sc = loaded.scenario
            print(f"{path}: ok ({sc.scenario.title}: {len(sc.roles)} roles, {len(sc.issues)} issues, "
                  f"{len(sc.linkages)} linkages, {len(sc.phases)} phases, {len(sc.moves)} move "
                  f"templates, {len(sc.injects)} injects)", file=sys.stderr)
    return 1 if bad else 0


def _play(session_path: str, script_path: str) -> int:
    from .app.script import ScriptError, ScriptRunner, read_script
    from .app.session import Session

    session = Session.open(session_path)
    try:
        runner = ScriptRunner(session, script_path)

        def show(ev) -> None:
            print(f"{ev.seq:>6}  {ev.type:<17} {session.describe(ev)}", flush=True)

        try:
            n = runner.run(read_script(script_path), on_event=show)
        except ScriptError as exc:
            return _fail(f"{exc}\n(stopped; every event printed above is saved in {session_path})")
        print(f"applied {n} events; {session_path} now holds {session.store.last_seq}", file=sys.stderr)
        return 0
    finally:
        session.close()


def _replay(args) -> int:
    from .app.session import Session

    session = Session.open(args.session, readonly=True)
    try:
        last = session.store.last_seq
        if args.at is not None and not 0 <= args.at <= last:
            return _fail(f"{args.session}: --at {args.at} is out of range (the session has events "
                         f"0..{last})")
        try:
            view = session.view(args.viewer, at=args.at)
        except ValueError as exc:
            return _fail(str(exc), 2)
        if args.json:
            print(json.dumps(view, sort_keys=True, indent=2, ensure_ascii=False))
        else:
            _print_view(session, view)
        return 0
    finally:
        session.close()


def _print_view(session, view: dict) -> None:
    sc = session.scenario
    esc = view["escalation"]
    phase = view["phase"]
    print(f"{sc.scenario.title} — after event {view['event']}")
    print(f"phase: {phase['index'] + 1}/{phase['of']} {phase['label']}" if phase else "phase: not started")
    print(f"escalation: {esc['index']:.1f} / {esc['scale']:g} — {esc['rung_label']}")
    for k, v in esc["variables"].items():
        print(f"  {sc.variable_by_id[k].label:<40} {v:g}")
    print("issues:")
    for iid, rec in view["issues"].items():
        opt = f" = {rec['option']}" if rec["option"] else ""
        print(f"  {sc.issue_by_id[iid].label:<40} {rec['status']}{opt}")
    if view["agreements"]:
        print("agreements:")
        for a in view["agreements"]:
            print(f"  #{a['id']} {a['status']}: " + ", ".join(f"{k}={v}" for k, v in a["package"].items()))


def _info(path: str) -> int:
    from .app.session import Session

    session = Session.open(path, readonly=True)
    try:
        sc = session.scenario
        check = session.verify_record()
        meta = session.store.meta()
        integrity = session.store.integrity()
        print(f"file:      {path}")
        print(f"scenario:  {sc.scenario.title} ({sc.scenario.id})")
        print(f"created:   {meta.get('created_at', '?')}   schema {session.store.schema_version}")
        if "forked_from" in meta:
            print(f"forked from: {_plain(meta['forked_from'])} after event "
                  f"{_plain(meta.get('forked_at', '?'))} (its fingerprint then: "
                  f"{_plain(meta.get('forked_from_fingerprint', '?'))})")
        print("roles:     " + ", ".join(
            f"{r.name}" + (f" [{session.teams[r.id]}]" if r.id in session.teams else "")
            for r in sc.roles))
        if check.intact:
            st = session.state
            phase = sc.phase_by_id[st.phase].label if st.phase else "not started"
            print(f"phase:     {phase} ({st.phase_index + 1} of {len(sc.phases)})")
        print(f"events:    {session.store.last_seq} (snapshots up to {session.store.last_snapshot_seq})")
        if check.intact:
            print(f"agreements in force: {sum(1 for a in st.agreements.values() if a.status == 'in_force')}")
            print(f"escalation: {st.index:.1f} ({st.rung})")
        print(f"health:    {integrity}")
        print(f"fingerprint: {check.fingerprint}")
        print(f"record:    {check.message}")
        for w in session.warnings:
            print(f"warning: {w}", file=sys.stderr)
        return 0 if integrity == "ok" and check.intact else 1
    finally:
        session.close()


def _analyze(args) -> int:
    from .app.analysis import analyze_path

    report, text = analyze_path(args.path, at=args.at)
    if args.json:
        print(json.dumps(report, sort_keys=True, indent=2, ensure_ascii=False))
    else:
        print(text)
    return 0


def _plain(text: str) -> str:
    """Text from a file, safe for a terminal: control and direction-override characters are
    shown as escapes instead of acting on the terminal."""
    import unicodedata

    return "".join(ch if ch.isprintable() and unicodedata.category(ch) != "Cf"
                   else f"\\u{ord(ch):04x}" for ch in str(text))


def _fork(args) -> int:
    from .app.fork import fork_session

    out = fork_session(args.session, args.at, args.output)
    print(f"created {out}: {args.session} up to event {args.at}, continuing as a new session "
          f"({args.session} is unchanged)")
    return 0


def _report(args) -> int:
    from .ui.report_export import ReportError, write_report

    try:
        out = write_report(args.session, args.output, viewer=args.viewer, force=args.force)
    except ReportError as exc:
        return _fail(str(exc))
    print(f"wrote {out} (report on {args.session} as seen by {args.viewer})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
