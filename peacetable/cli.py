"""The ``peacetable`` command.

With no arguments, or with a session or scenario path, it opens the facilitator console.
Subcommands work headless. Errors are one clear line each and a non-zero exit, never a
traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

COMMANDS = ("validate", "new", "play", "replay", "info", "analyze", "simulate", "fork", "report")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="peacetable",
        description="Run staged negotiation exercises. With no command (or a .peacetable / "
                    ".toml path) the facilitator console opens.",
    )
    p.add_argument("--version", action="version", version=_version())
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("validate", help="check scenario files; one line per problem",
                       description="Check scenario files. Each problem is one line "
                                   "FILE:LINE: field: what (expected); exit 1 if any.")
    s.add_argument("paths", nargs="+", metavar="PATH", help="scenario files (.toml)")

    s = sub.add_parser("new", help="start a session file from a scenario",
                       description="Start a new session file from a scenario. An existing "
                                   "file is never overwritten.")
    s.add_argument("scenario", metavar="SCENARIO", help="the scenario file (.toml)")
    s.add_argument("-o", "--output", required=True, metavar="SESSION.peacetable",
                   help="the session file to create (must not exist)")
    s.add_argument("--seed", type=int, default=None, help="seed for dice rolls (default: random)")
    s.add_argument("--team", action="append", default=[], metavar="ROLE=TEAM",
                   help="name the team playing a role (repeatable)")
    s.add_argument("--title", default="", help="a title for this run of the exercise")

    s = sub.add_parser("play", help="apply a JSON-lines script of commands to a session",
                       description="Apply a script (docs/script-format.md) to a session, "
                                   "printing each event. Played again on the same session, "
                                   "the script continues after the commands already applied; "
                                   "a command is never applied twice.")
    s.add_argument("session", metavar="SESSION", help="the session file (.peacetable)")
    s.add_argument("script", metavar="SCRIPT.jsonl", help="the script: one JSON command a line")

    s = sub.add_parser("replay", help="the state after an event, as text or stable JSON",
                       description="Show the state of a session after an event, as a given "
                                   "viewer may see it.")
    s.add_argument("session", metavar="SESSION", help="the session file (.peacetable)")
    s.add_argument("--at", type=int, default=None, metavar="N", help="event number (default: last)")
    s.add_argument("--json", action="store_true", help="print JSON with sorted keys")
    s.add_argument("--viewer", default="control",
                   help="control (default), audience, or a role id: what that viewer may see")

    s = sub.add_parser("info", help="scenario, roles, phase reached, event count, file health")
    s.add_argument("session", metavar="SESSION", help="the session file (.peacetable)")

    s = sub.add_parser("simulate", help="play many bot-only sessions of a scenario; CSV, "
                       "summary and plots")
    s.add_argument("scenario", metavar="SCENARIO", help="the scenario file (.toml)")
    s.add_argument("--runs", type=int, default=100, metavar="N", help="number of runs (100)")
    s.add_argument("--seed", type=int, default=0, metavar="S",
                   help="seed of the simulation: the same seed gives the same CSV (0)")
    s.add_argument("--bots", nargs="+", action="extend", default=[], metavar="ROLE=STRATEGY",
                   help="strategy for a role (hardliner, conceder, reciprocator, leverage); "
                        "default: the scenario's `bot` fields, else reciprocator")
    s.add_argument("--jobs", type=int, default=1, metavar="K",
                   help="processes to spread the runs over (1)")
    s.add_argument("--out", default=None, metavar="DIR",
                   help="a new or empty folder: one session file per run, the CSV and plots")
    s.add_argument("--csv", default=None, metavar="FILE",
                   help="where the CSV goes (default: DIR/runs.csv with --out, else "
                        "SCENARIO-ID-runs.csv here); plots are written next to it")
    s.add_argument("--executor", default=None, metavar="dask://HOST:PORT",
                   help="run on a dask.distributed cluster (optional extra 'cluster')")
    s.add_argument("--no-plots", action="store_true", help="write no PNG plots")

    s = sub.add_parser("analyze", help="bargaining and linkage analytics for a scenario or session",
                       description="Utilities, ZOPA, Pareto frontier, Nash and "
                                   "Kalai–Smorodinsky points, deadlocks and keystones; for a "
                                   "session also flags, concessions and reciprocity.")
    s.add_argument("path", metavar="SCENARIO|SESSION",
                   help="a scenario (.toml) or a session file (.peacetable)")
    s.add_argument("--at", type=int, default=None, metavar="N",
                   help="sessions only: analyse the state after event N (default: the last)")
    s.add_argument("--json", action="store_true", help="print the full report as JSON (ids, "
                                                       "not labels)")
    s.add_argument("--parties", default=None, metavar="A,B",
                   help="also analyse the bargaining among these player roles only (ids, "
                        "comma-separated), the others held at their status quo")
    s.add_argument("--frontier", action="store_true",
                   help="build the whole Pareto frontier even above its size limit (the "
                        "Nash and Kalai–Smorodinsky points are exact without it)")
    s.add_argument("--viewer", default="control",
                   help="control (default), audience, or a role id: the linkage network holds "
                        "only the linkages that viewer knows of")

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
    from .terminal import SafeStream

    out, err = sys.stdout, sys.stderr
    # everything printed from here on shows a file's control characters as escapes
    sys.stdout, sys.stderr = SafeStream(out), SafeStream(err)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: list[str]) -> int:
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
        broken = _broken_record(args)
        if broken:  # or a record edited elsewhere, which a read-only open does not check
            return _fail(f"{broken}; the file was not changed")
        from .logs import log_exception

        where = log_exception(exc)
        return _fail(f"peacetable: internal error: {type(exc).__name__}: {exc} "
                     f"(details in {where}); nothing was lost", 70)


def _broken_record(args) -> str | None:
    """After an unexpected error in a command on a session file: where its record breaks,
    if it does, else None. Opening read-only (replay, report) checks the hash chain but
    not every event against the scenario, so an event edited by someone who recomputed
    the chain (a phase or template the scenario lacks) can reach code that trusts it."""
    path = getattr(args, "session", None)
    if not isinstance(path, str) or not path:
        return None
    try:
        from .app.session import Session

        s = Session.open(path, readonly=True, defer_state=True)
        try:
            check = s.verify_record()
        finally:
            s.close()
    except Exception:
        return None
    return None if check.intact else f"{path}: {check.message}"


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
        if cmd == "simulate":
            return _simulate(args)
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
            counts = ", ".join(_plural(n, w) for n, w in (
                (len(sc.roles), "role"), (len(sc.issues), "issue"), (len(sc.linkages), "linkage"),
                (len(sc.phases), "phase"), (len(sc.moves), "move template"),
                (len(sc.injects), "inject")))
            print(f"{path}: ok ({sc.scenario.title}: {counts})", file=sys.stderr)
    return 1 if bad else 0


def _play(session_path: str, script_path: str) -> int:
    import itertools

    from .app.script import ScriptError, ScriptProgress, ScriptRunner, read_script, resume_point
    from .app.session import Session
    from .domain.views import package_text

    session = Session.open(session_path)
    try:
        runner = ScriptRunner(session, script_path)
        sc = session.scenario
        n = 0
        try:
            # lines are read as they are played (a line that is not JSON stops the script
            # there); the commands already played are read first, to check they are the same
            stream = read_script(script_path)
            known = ScriptProgress.load(session)
            head = list(itertools.islice(stream, known.applied if known else 0))
            start, progress = resume_point(session, head, str(Path(script_path).resolve()))
            todo = itertools.chain(head[start:], stream)
            if start:
                runner.restore(progress)
                first = next(todo, None)
                if first is None:
                    print(f"{session_path} already holds all {_plural(start, 'command')} "
                          f"of {script_path}; nothing to do", file=sys.stderr)
                    return 0
                print(f"continuing {script_path} at line {first.line}: "
                      f"{session_path} already holds its first {_plural(start, 'command')}",
                      file=sys.stderr)
                todo = itertools.chain([first], todo)
            for sl in todo:
                before = set(session.state.agreements)
                events = runner.apply(sl)
                progress.step(sl, runner, session.store.last_seq)
                progress.save(session)
                formed = ""
                for aid in sorted(set(session.state.agreements) - before):
                    a = session.state.agreements[aid]
                    who = ", ".join(sc.role_by_id[r].name if r in sc.role_by_id else r
                                    for r in dict.fromkeys([a.proposer, *a.parties]))
                    formed += (f" — agreement formed: {package_text(sc, a.package)} ({who}) "
                               f"(#{aid})")
                for k, ev in enumerate(events, start=1):
                    n += 1
                    # one line per event; the line of the command's last event says whether
                    # an agreement formed with it
                    print(f"{ev.seq:>6}  {ev.type:<17} {session.describe(ev)}"
                          f"{formed if k == len(events) else ''}", flush=True)
        except ScriptError as exc:
            return _fail(f"{exc}\n(stopped; every event printed above is saved in {session_path})")
        print(f"applied {_plural(n, 'event')}; {session_path} now holds "
              f"{_plural(session.store.last_seq, 'event')}", file=sys.stderr)
        _warn(session)
        return 0
    finally:
        session.close()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


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
            _print_json(view)
        else:
            _print_view(session, view)
        _warn(session)
        return 0
    finally:
        session.close()


def _warn(session) -> None:
    """What the file's checks noticed without refusing it (e.g. an ignored snapshot)."""
    for w in session.warnings:
        print(f"warning: {w}", file=sys.stderr)


def _print_view(session, view: dict) -> None:
    from .domain.views import condition_text, package_text

    sc = session.scenario
    esc = view["escalation"]
    phase = view["phase"]
    print(f"{sc.scenario.title} — after event {view['event']}")
    print(f"phase: {phase['index'] + 1}/{phase['of']} {phase['label']}" if phase else "phase: not started")
    if view.get("game_date_label"):
        print(f"in the story: {view['game_date_label']}")
    print(f"escalation: {esc['index']:.1f} / {esc['scale']:g} — {esc['rung_label']}")
    for k, v in esc["variables"].items():
        print(f"  {sc.variable_by_id[k].label:<40} {v:g}")
    print("issues:")
    for iid, rec in view["issues"].items():
        issue = sc.issue_by_id[iid]
        chosen = issue.option(rec["option"]) if rec["option"] else None
        opt = f": {chosen.label if chosen else rec['option']}" if rec["option"] else ""
        print(f"  {issue.label:<40} {rec['status'].replace('_', ' ')}{opt}")
    control = view["viewer"] == "control"

    def name(role: str) -> str:
        return sc.role_by_id[role].name if role in sc.role_by_id else role

    def num(seq: int) -> str:  # event numbers for control, who finds events by them
        return f" (#{seq})" if control else ""

    if view["agreements"]:
        print("agreements:")
        for a in view["agreements"]:
            status = "in force" if a["status"] == "in_force" else a["status"].replace("_", " ")
            who = ", ".join(name(r) for r in dict.fromkeys([a["proposer"], *a["parties"]]))
            print(f"  {status}: {package_text(sc, a['package'])} ({who}){num(a['id'])}")
    moves = [m for m in view.get("moves_open", ()) if m["status"] != "tabled"]
    tabled = [m for m in view.get("moves_open", ()) if m["status"] == "tabled"]
    if tabled:
        print("on the table:")
        for m in tabled:
            print(f"  {name(m['role'])}: {package_text(sc, m['package'])}{num(m['id'])}")
    if moves:
        print("moves awaiting a decision:")
        for m in moves:
            tpl = sc.template_by_id.get(m["template"])
            what = tpl.label if tpl is not None else m["template"]
            if m["package"]:
                what += f" ({package_text(sc, m['package'])})"
            print(f"  {name(m['role'])}: {what}{' — sealed' if m['status'] == 'sealed' else ''}"
                  f"{num(m['id'])}")
    offers = [o for o in view.get("offers", ()) if o["status"] != "withdrawn"]
    if offers:
        print("conditional offers:")
        for o in offers:
            tpl = sc.template_by_id.get(o["template"])
            cond = condition_text(o["condition"], sc) if o["condition"] else ""
            print(f"  {name(o['role'])}: {tpl.label if tpl is not None else o['template']}"
                  f"{' — if ' + cond if cond else ''} — "
                  f"{'in force' if o['status'] == 'in_force' else 'waiting for its condition'}"
                  f"{num(o['id'])}")
    standing = [p for p in view.get("postures", ()) if p["standing"]]
    if standing:
        print("declared without an agreement:")
        for p in standing:
            print(f"  {sc.role_by_id[p['role']].name} declared: "
                  f"{package_text(sc, {p['issue']: p['option']})}")
    if view.get("blocks"):
        print("blocks:")
        for b in view["blocks"]:
            what = (package_text(sc, {b["issue"]: b["option"]}) if b["option"]
                    else sc.issue_by_id[b["issue"]].label)
            print(f"  {what}: {b['reason']}")


def _info(path: str) -> int:
    from .app.session import Session

    session = Session.open(path, readonly=True)
    try:
        sc = session.scenario
        check = session.verify_record()
        meta = session.store.meta()
        integrity = session.store.health  # SQLite's quick_check, run when the file opened
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
            day = session.game_date("control")
            if day is not None:
                from .domain.calendar import date_label, phase_span, span_label

                span = span_label(*phase_span(sc, st.phase_index))
                print(f"in the story: {date_label(day)}"
                      + (f" (the phase: {span})" if span and span != date_label(day) else ""))
        print(f"events:    {session.store.last_seq} (snapshots up to {session.store.last_snapshot_seq})")
        if check.intact:
            print(f"agreements in force: {sum(1 for a in st.agreements.values() if a.status == 'in_force')}")
            rung = next((r.label for r in sc.escalation.rungs if r.id == st.rung), st.rung)
            print(f"escalation: {st.index:.1f} of {sc.escalation.scale:g} ({rung})")
        print(f"health:    {integrity}")
        print(f"fingerprint: {check.fingerprint}")
        print(f"record:    {check.message}")
        false_snapshots: dict[int, str] = {}
        if check.intact:
            false_snapshots = session.check_snapshots()
            print(f"snapshots: {_snapshots_line(session, false_snapshots)}")
        _warn(session)
        return 0 if integrity == "ok" and check.intact and not false_snapshots else 1
    finally:
        session.close()


def _snapshots_line(session, false: dict[int, str]) -> str:
    """What `info` says of the snapshots (cached folds) after checking each one."""
    current, older = session.store.snapshot_counts()
    older_text = f"; {older} of an older fold version, unused" if older else ""
    if false:
        seq, why = next(iter(false.items()))
        more = f" (and {len(false) - 1} more)" if len(false) > 1 else ""
        return (f"the one at event {seq}{more} is false ({why}): the file was edited with "
                "another tool; it is ignored and every state shown is folded from the "
                f"events{older_text}")
    if not current:
        return f"none of this fold version{older_text}" if older else "none"
    return f"{current} checked: each holds the state the events give{older_text}"


def _analyze(args) -> int:
    from .app.analysis import PartiesError, ViewerError, analyze_path

    parties = None if args.parties is None else \
        [p.strip() for p in args.parties.split(",") if p.strip()]
    try:
        report, text = analyze_path(args.path, at=args.at, parties=parties,
                                    frontier=args.frontier, viewer=args.viewer)
    except (PartiesError, ViewerError) as exc:
        return _fail(str(exc), 2)
    if args.json:
        _print_json(report)
    else:
        print(text)
    return 0


def _print_json(obj) -> None:
    from .terminal import dumps_json

    text, replaced = dumps_json(obj)
    print(text)
    if replaced:
        print("warning: some numbers were not finite (NaN or infinity) and are shown as null",
              file=sys.stderr)


def _plain(text: str) -> str:
    """Text from a file, safe for a terminal: control and direction-override characters are
    shown as escapes instead of acting on the terminal."""
    from .terminal import safe_text

    return safe_text(text)


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


def _simulate(args) -> int:
    from pathlib import Path

    from .app.autoplay import parse_bots
    from .app.simulate import check_out_dir, csv_text, simulate
    from .domain.loader import load_scenario

    loaded = load_scenario(args.scenario)
    sc = loaded.scenario
    # every check before anything is written
    if args.runs < 1:
        return _fail(f"--runs {args.runs}: expected at least 1 run", 2)
    if args.jobs < 1:
        return _fail(f"--jobs {args.jobs}: expected at least 1", 2)
    try:
        bots = parse_bots(sc, args.bots)
    except ValueError as exc:
        return _fail(f"--bots: {exc}" if not str(exc).startswith("--bots") else str(exc), 2)
    out = Path(args.out) if args.out else None
    if out is not None:
        try:
            check_out_dir(out)
        except ValueError as exc:
            return _fail(str(exc), 2)
    csv_path = Path(args.csv) if args.csv else \
        (out / "runs.csv" if out is not None else Path(f"{sc.scenario.id}-runs.csv"))
    stem = csv_path.with_suffix("")
    targets = [csv_path] + ([] if args.no_plots else
                            [Path(f"{stem}-escalation.png"), Path(f"{stem}-agreements.png")])
    for t in targets:
        if t.exists() and (out is None or t.parent.resolve() != out.resolve()):
            return _fail(f"{t}: already exists (choose another --csv; nothing was written)", 2)
    if not csv_path.parent.exists() and (out is None or csv_path.parent.resolve() != out.resolve()):
        return _fail(f"{csv_path}: folder {csv_path.parent} does not exist", 2)
    executor = client = None
    if args.executor:
        address = args.executor
        if not address.startswith("dask://") or ":" not in address[len("dask://"):]:
            return _fail(f"--executor {address!r}: expected dask://HOST:PORT", 2)
        try:
            from distributed import Client
        except ImportError:
            return _fail("--executor needs dask.distributed: install the 'cluster' extra "
                         "(pip install 'peacetable[cluster]')", 2)
        try:
            client = Client("tcp://" + address[len("dask://"):], timeout="10s")
        except (OSError, TimeoutError) as exc:
            return _fail(f"--executor {address}: cannot reach the cluster ({exc})", 1)
        executor = client.get_executor()

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, \
        TimeElapsedColumn, TimeRemainingColumn

    from rich.console import Console
    from rich.markup import escape

    # the bar draws with its own terminal codes: it writes to the real stream, and the
    # scenario's title in it is made safe first
    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                  transient=False, console=Console(file=getattr(sys.stdout, "raw", sys.stdout))
                  ) as bar:
        task = bar.add_task(escape(f"simulating {_plain(sc.scenario.title)}"), total=args.runs)
        try:
            result = simulate(loaded, args.runs, seed=args.seed, bots=bots, jobs=args.jobs,
                              executor=executor, out=out,
                              progress=lambda done, total: bar.update(task, completed=done))
        finally:
            if client is not None:
                client.close()
    written = []
    if result.rows:
        csv_path.write_text(csv_text(sc, result.rows), encoding="utf-8")
        written.append(csv_path)
        if not args.no_plots:
            from .ui.sim_plots import write_plots

            written += write_plots(result, stem)
    _print_summary(result, args, written)
    if result.interrupted:
        print(f"interrupted: kept the {result.finished} of {args.runs} runs that had finished"
              + (f" (in {csv_path})" if result.rows else ""), file=sys.stderr)
        return 130
    return 0


def _print_summary(result, args, written) -> None:
    from .app.simulate import summary

    sc = result.scenario
    name = lambda r: sc.role_by_id[r].name  # noqa: E731
    s = summary(result)
    print(f"{sc.scenario.title}: {result.finished} runs, seed {args.seed}")
    print("bots: " + ", ".join(f"{name(r)} {result.bots[r]}" for r in sc.player_ids))
    if not result.finished:
        return
    print(f"runs with an agreement in force at the end: {s['agreement_rate']:.0%}; "
          f"issues settled: {s['issues_settled_mean']:.1f} of {len(sc.issues)} on average")
    f, p = s["escalation_final"], s["escalation_peak"]
    print(f"escalation at the end: mean {f['mean']:.1f}, median {f['median']:.1f}, "
          f"90th percentile {f['p90']:.1f}, range {f['min']:.1f}–{f['max']:.1f} "
          f"(scale 0–{sc.escalation.scale:g}); peak: mean {p['mean']:.1f}, max {p['max']:.1f}")
    labels = {r.id: r.label for r in sc.escalation.rungs}
    print("rung at the end: " + ", ".join(
        f"{labels.get(k, k)} {v / result.finished:.0%}"
        for k, v in sorted(s["rungs"].items(), key=lambda kv: -kv[1])))
    print("issues agreed (share of runs):")
    width = max(len(i.label) for i in sc.issues)
    for i in sc.issues:
        print(f"  {i.label:<{width}}  {s['issue_rates'][i.id]:>4.0%}")
    print("utility of the agreements (mean; no deal):")
    width = max(len(name(r)) for r in sc.player_ids)
    for r in sc.player_ids:
        print(f"  {name(r):<{width}}  {s['utility_mean'][r]:.3f}  ({sc.role_by_id[r].batna:.2f})")
    if s["refused"]:
        print(f"commands refused by the engine: {s['refused']}")
    if result.saved:
        print(f"{len(result.saved)} session files in {args.out}")
    if written:
        print("wrote " + ", ".join(str(w) for w in written))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
