"""``speechcorpus``: the command line over the flows.

Errors a user can fix (a missing inbox, a bad option, a release that failed validation)
print one line and exit non-zero; a traceback means a bug.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def _add_build_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--input", type=Path, default=Path("data/inbox"), metavar="DIR",
                         help="inbox folder, read recursively (default: data/inbox)")
    command.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                         help="output folder for releases (default: output)")
    _add_data_options(command)
    command.add_argument("--full", action="store_true",
                         help="process every file again instead of carrying unchanged ones over from the latest "
                         "release (and publish even when nothing changed)")
    command.add_argument("--keep", type=int, default=None, metavar="N",
                         help="after each build, remove all releases but the N newest (never latest, never one a "
                         "reader holds); default: keep all")
    command.add_argument("--part-rows", type=int, default=None, metavar="N",
                         help="most rows in one Parquet part of a table, data/<table>.parquet/part-NNNNN.parquet "
                         "(default: 500000)")


def _add_data_options(command: argparse.ArgumentParser) -> None:
    """The options that shape the data: build, serve and inspect take the same ones."""
    command.add_argument("--opencc-profile", default="t2s", metavar="NAME",
                         help="OpenCC conversion to simplified Chinese (default: t2s)")
    command.add_argument("--text-field", action="append", default=None, metavar="NAME",
                         help="JSONL/CSV field holding the text, matched in any case (repeatable; default: content, "
                         "text, raw_content, full_text)")
    command.add_argument("--rules-dir", type=Path, action="append", default=[], metavar="DIR",
                         help="extra folder of site rule files, applied after the shipped ones (repeatable)")
    command.add_argument("--segmenter", choices=("jieba", "rjieba"), default=None,
                         help="word segmenter: rjieba (jieba-rs, the default when installed, as it is by make) or "
                         "jieba (Python, the reference it matches in 99.99%% of paragraphs; several times slower)")


def parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per job, every option documented."""
    parser = argparse.ArgumentParser(
        prog="speechcorpus",
        description="Turn scraped Chinese speech documents into a clean, segmented, validated dataset release.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser(
        "build",
        help="build a release from an inbox folder",
        description="Read every file of the inbox, clean, segment, tokenise and validate it, and publish "
        "OUTPUT/releases/<release_id>/ with OUTPUT/latest pointing at it. It runs against PREFECT_API_URL, "
        "or else a local Prefect server it starts for the duration of the build: no server needs to be "
        "configured. An inbox of more than one batch is processed on every core (see --runner).",
    )
    _add_build_options(build)
    build.add_argument("--runner", choices=("threads", "processes", "dask"), default=None,
                       help="how batches run: threads, processes, or dask. Default: chosen from the inbox size: "
                       "threads in the build's own process when the inbox fits one batch (4 MB, 200 files: no "
                       "worker starts), else processes")
    build.add_argument("--workers", type=int, default=None, metavar="N",
                       help="threads, processes or local Dask workers (default: one per core, at most one per batch)")
    build.add_argument("--dask-address", default=None, metavar="tcp://HOST:PORT",
                       help="run on this existing Dask scheduler (with --runner dask) instead of a local cluster")
    serve = commands.add_parser(
        "serve",
        help="build on a schedule (Prefect serve)",
        description="Serve the build flow with a cron schedule: a long-running process that starts a build "
        "at every tick. Schedules need a real Prefect server: PREFECT_API_URL if set, else a local "
        "'prefect server start' (SQLite, in .prefect/) that this command starts and stops.",
    )
    _add_build_options(serve)
    serve.add_argument("--cron", required=True, metavar="EXPR", help='cron schedule, e.g. "0 3 * * *" for 03:00 daily')
    serve.add_argument("--name", default="nightly", help="deployment name (default: nightly)")
    check = commands.add_parser(
        "verify",
        help="re-check a release from disk",
        description="Check a release folder (or the release OUTPUT/latest points at): every file's sha256 "
        "and size against the manifest, row counts, schemas, and the Great Expectations suites (which "
        "include referential integrity). Prints one line per problem; exit 0 only when all hold.",
    )
    check.add_argument("release", type=Path, metavar="RELEASE", help="a release folder, or an output folder with latest")
    look = commands.add_parser(
        "inspect",
        help="show how one input file would be cleaned and segmented",
        description="Run one input file through the pipeline (no Prefect, nothing written) and print its "
        "speech / section / paragraph tree and every removed span with its kind and rule.",
    )
    look.add_argument("file", type=Path, metavar="FILE", help="a .txt, .html, .jsonl(.gz) or .csv input")
    look.add_argument("--json", action="store_true", help="print the tree as JSON instead")
    _add_data_options(look)
    show = commands.add_parser(
        "show",
        help="print the summary of a release",
        description="Print a release's manifest summary: id, versions, row counts, inputs and rejects, "
        "removals per kind, duplicates, changes since the previous release, validation.",
    )
    show.add_argument("release", type=Path, metavar="RELEASE", help="a release folder, or an output folder with latest")
    compare = commands.add_parser(
        "diff",
        help="list the speeches added, removed and changed between two releases",
        description="Compare two releases speech by speech and print the speeches the new one adds, removes "
        "and changes: title, document, and for a changed one how many paragraphs and which fields differ "
        "(keywords and duplicate marks, which follow the rest of the release, are not compared). OLD and "
        "NEW are release folders, output folders (their latest release), or release ids of --output.",
    )
    compare.add_argument("old", metavar="OLD", help="the earlier release: a folder, or a release id of --output")
    compare.add_argument("new", metavar="NEW", nargs="?", default="latest",
                         help="the later release: a folder, or a release id of --output (default: latest)")
    compare.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                         help="output folder whose releases/ holds the release ids (default: output)")
    compare.add_argument("--json", action="store_true", help="print the list as JSON (what a release's changes.json holds)")
    prune = commands.add_parser(
        "prune",
        help="remove old releases",
        description="Remove every release of OUTPUT but the N newest. The release latest points at is never "
        "removed, nor one a reader holds (verify and show hold the release they read; see the README's "
        "'Old releases' for holding one yourself). Waits for no build: exits 3 while one runs.",
    )
    prune.add_argument("output", type=Path, metavar="OUTPUT", help="an output folder (holding releases/ and latest)")
    prune.add_argument("--keep", type=int, required=True, metavar="N", help="how many of the newest releases stay (at least 1)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    console = Console(stderr=False)
    err = Console(stderr=True, soft_wrap=True)  # one error, one line, whatever the width
    if args.command == "verify":
        return _verify(args.release, console, err)
    if args.command == "inspect":
        return _inspect(args, console, err)
    if args.command == "show":
        return _show(args.release, console, err)
    if args.command == "diff":
        return _diff(args, console, err)
    if args.command == "prune":
        return _prune(args.output, args.keep, console, err)
    if args.keep is not None and args.keep < 1:
        err.print(f"[red]error:[/red] --keep must be at least 1, got {args.keep}")
        return 2
    if not args.input.is_dir():
        err.print(f"[red]error:[/red] input folder {str(args.input)!r} does not exist")
        return 2
    from flows import runtime
    from pipeline.errors import ConfigError, NothingToPublish, ValidationFailed
    from pipeline.release.lock import BuildLocked

    runtime.offline_prefect()  # before anything imports Prefect
    from flows import server

    for pid in server.stop_stale_servers(Path(os.environ["PREFECT_HOME"])):
        err.print(f"stopped a Prefect server (pid {pid}) left running by a command that was killed")

    try:
        if args.command == "serve":
            return _serve(args, console)
        return _build(args, console, err)
    except NothingToPublish as exc:
        err.print(f"[red]error:[/red] nothing published, the latest release is unchanged: {escape(str(exc))}")
        for path, reason, detail in exc.rejects[:10]:
            err.print(f"  rejected {path}: {reason}: {detail}", markup=False)
        if len(exc.rejects) > 10:
            err.print(f"  … and {len(exc.rejects) - 10} more")
        return 1
    except ValidationFailed as exc:
        err.print(f"[red]error:[/red] validation failed, release refused: {exc.failures[0]}"
                  + (f" (and {len(exc.failures) - 1} more)" if len(exc.failures) > 1 else ""))
        return 1
    except BuildLocked as exc:
        err.print(f"[red]error:[/red] {exc}")
        return 3
    except (ConfigError, ValueError, RuntimeError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        return 2


def _inspect(args: argparse.Namespace, console: Console, err: Console) -> int:
    import json

    from rich.markup import escape
    from rich.tree import Tree

    from pipeline import ingest, process
    from pipeline.errors import ConfigError
    from pipeline.records import Reject

    path, as_json = args.file, args.json
    if not path.is_file():
        err.print(f"[red]error:[/red] {str(path)!r} is not a file")
        return 2
    try:
        config = _params(args).build_config()  # the build's own settings from the same options
    except (ConfigError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        return 2
    outlines, rejects = [], []
    for source in ingest.read(path.resolve(), path.resolve().parent, config.ingest):
        result = source if isinstance(source, Reject) else process.document(source, config)
        if isinstance(result, Reject):
            rejects.append({"source_line": result.source_line, "reason": result.reason, "detail": result.detail})
        else:
            outlines.append(process.outline(result))
    if as_json:
        console.print_json(json.dumps({"documents": outlines, "rejects": rejects}, ensure_ascii=False))
        return 0
    for reject in rejects:
        console.print(f"rejected{' line ' + str(reject['source_line']) if reject['source_line'] else ''}: "
                      f"{reject['reason']}: {escape(reject['detail'])}", soft_wrap=True)
    for doc in outlines:
        tree = Tree(f"[bold]{escape(doc['title'] or doc['source_path'])}[/bold]  "
                    f"site={doc['site']} date={doc['published_date']} segmentation={doc['segmentation']}")
        for speech in doc["speeches"]:
            branch = tree.add(f"[bold cyan]{speech['ordinal']}. {escape(speech['title'] or '(untitled)')}[/bold cyan]"
                              f"  {speech['genre'] or ''} {escape(speech['speaker'] or '')}")
            _paragraph_leaves(branch, speech["paragraphs"])
            stack = [(0, branch)]
            for section in speech["sections"]:
                while stack[-1][0] >= section["level"]:
                    stack.pop()
                node = stack[-1][1].add(f"[green]{escape(section['marker'])}{escape(section['title'])}[/green]"
                                        + (" (run-in)" if section["run_in"] else ""))
                _paragraph_leaves(node, section["paragraphs"])
                stack.append((section["level"], node))
        removed = tree.add(f"[red]removed: {len(doc['removals'])} span(s)[/red]")
        for r in doc["removals"]:
            removed.add(f"{r['kind']} ({r['rule']}): {escape(_short(r['text']))}")
        console.print(tree)
    return 0


def _paragraph_leaves(node, paragraphs: list[dict]) -> None:
    from rich.markup import escape

    for p in paragraphs:
        flags = f" [yellow]{','.join(p['flags'])}[/yellow]" if p["flags"] else ""
        node.add(f"¶{p['ordinal']} {escape(_short(p['text']))}{flags}")


def _short(text: str, width: int = 24) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= width else text[:width] + "…"


def _show(path: Path, console: Console, err: Console) -> int:
    import json

    from rich.markup import escape

    from pipeline.release import lock

    manifest_path = path / "manifest.json" if (path / "manifest.json").exists() else path / "latest" / "manifest.json"
    if not manifest_path.is_file():
        err.print(f"[red]error:[/red] no manifest.json in {str(path)!r} or its latest release")
        return 2
    with lock.reading(manifest_path.parent):  # prune leaves it alone meanwhile
        m = json.loads(manifest_path.read_text(encoding="utf-8"))
    console.print(f"[bold]release {m['release_id']}[/bold]  created {m.get('created_at')}  "
                  f"pipeline {m.get('pipeline_version')}  schema {m.get('schema_version')}")
    table = Table(show_header=True)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in m.get("row_counts", {}).items():
        table.add_row(name, str(rows))
    console.print(table)
    rejected: dict[str, int] = {}
    for item in m.get("inputs", []):
        if item.get("status") == "rejected":
            rejected[item.get("reason")] = rejected.get(item.get("reason"), 0) + 1
    console.print(f"inputs: {len(m.get('inputs', []))}; rejected: "
                  + (", ".join(f"{k} {v}" for k, v in sorted(rejected.items())) or "none"))
    removals = m.get("removals_by_kind", {})
    console.print("removed spans: " + ", ".join(f"{k} {v}" for k, v in sorted(removals.items(), key=lambda kv: -kv[1])))
    dedup = m.get("deduplication", {}).get("stats")
    if dedup:
        console.print(f"duplicates: {dedup.get('non_canonical')} non-canonical speech(es) in {dedup.get('clusters')} cluster(s)")
    changes = m.get("changes", {}).get("files")
    if changes:
        console.print("changes: " + ", ".join(f"{k} {v}" for k, v in changes.items()))
    speeches = m.get("changes", {}).get("speeches")
    if speeches:
        console.print("speeches: " + ", ".join(f"{k} {v}" for k, v in speeches.items()))
    validation = m.get("validation", {})
    console.print(f"validation: {'passed' if validation.get('success') else 'FAILED'}", markup=False)
    console.print(escape(str(manifest_path.parent)), soft_wrap=True)
    return 0


def _release_folder(name: str, output: Path) -> Path | None:
    """The release ``name`` stands for: a release folder, an output folder's latest, or a
    release id (or ``latest``) of ``output``; None when there is none."""
    for candidate in (Path(name), Path(name) / "latest", output / "releases" / name, output / name):
        if (candidate / "manifest.json").is_file():
            return candidate.resolve()
    return None


def _diff(args: argparse.Namespace, console: Console, err: Console) -> int:
    import json

    from pipeline.release import diff

    folders = []
    for name in (args.old, args.new):
        folder = _release_folder(name, args.output)
        if folder is None:
            err.print(f"[red]error:[/red] {escape(repr(name))} is neither a release folder, an output folder nor a release "
                      f"id of {escape(repr(str(args.output)))}", highlight=False)
            return 2
        folders.append(folder)
    old, new = folders
    changes = diff.compare(diff.read(old), diff.read(new)).to_dict(old.name, new.name)
    if args.json:
        console.print_json(json.dumps(changes, ensure_ascii=False))
        return 0
    counts = changes["counts"]
    console.print(f"{old.name} → {new.name}: {counts['added']} added, {counts['removed']} removed, "
                  f"{counts['changed']} changed speech(es)", markup=False, soft_wrap=True)
    for kind in diff.KINDS:
        for entry in changes[kind]:
            console.print(_change_line(kind, entry), markup=False, soft_wrap=True, highlight=False)
    return 0


def _change_line(kind: str, entry: dict) -> str:
    """One speech of ``speechcorpus diff``: the change, its id, title and document, and
    what differs."""
    line = "" if entry["source_line"] is None else f":{entry['source_line']}"
    text = (f"{kind:<8} {entry['speech_id']}  {entry['title'] or '(untitled)'}  "
            f"[{entry['source_path']}{line} #{entry['ordinal']}]")
    if kind == "changed":
        text += f"  {entry['paragraphs_differing']} paragraph(s) differ"
        if entry["fields"]:
            text += "; fields: " + ", ".join(entry["fields"])
        if entry["previous_speech_id"] != entry["speech_id"]:
            text += f"; was {entry['previous_speech_id']}"
    return text


def _verify(path: Path, console: Console, err: Console) -> int:
    from flows import runtime
    from pipeline.release import verify

    if not path.exists():
        err.print(f"[red]error:[/red] {str(path)!r} does not exist")
        return 2
    from pipeline.release import lock

    runtime.offline_prefect()  # Great Expectations' telemetry off too
    runtime.quiet_great_expectations()
    release = path if (path / "manifest.json").exists() else path / "latest"
    if release.exists():
        with lock.reading(release):  # prune leaves it alone meanwhile
            problems = verify.release(path) if release == path else verify.output(path)
    else:
        problems = verify.output(path)
    for problem in problems:
        console.print(problem, soft_wrap=True, markup=False)
    if not problems:
        console.print(f"ok: {path}")
    return 1 if problems else 0


def _prune(output: Path, keep: int, console: Console, err: Console) -> int:
    from pipeline.release import lock, store

    if keep < 1:
        err.print(f"[red]error:[/red] --keep must be at least 1 (the latest release is never removed), got {keep}")
        return 2
    if not (output / "releases").is_dir():
        err.print(f"[red]error:[/red] {str(output)!r} holds no releases/ folder")
        return 2
    try:
        with lock.exclusive(output):  # no build publishes, or reads the latest release, meanwhile
            pruned = store.prune(output, keep)
    except lock.BuildLocked as exc:
        err.print(f"[red]error:[/red] {exc}")
        return 3
    for name in pruned.removed:
        console.print(f"removed {name}", markup=False)
    for name in pruned.held:
        console.print(f"kept {name}: a reader holds it", markup=False)
    console.print(f"{len(pruned.removed)} release(s) removed", markup=False)
    return 0


def _params(args: argparse.Namespace):
    from flows.build import RunParams

    inbox = {"input_dir": args.input, "output_dir": args.output, "incremental": not args.full,
             "keep": args.keep} if "input" in args else {}
    if "input" in args and args.part_rows is not None:
        inbox["part_rows"] = args.part_rows
    chosen = {"segmenter": args.segmenter} if args.segmenter else {}  # else RunParams' default
    return RunParams(opencc_profile=args.opencc_profile, rules_dirs=args.rules_dir, **chosen, **inbox,
                     **({"text_fields": args.text_field} if args.text_field else {}))


def _build(args: argparse.Namespace, console: Console, err: Console) -> int:
    from flows import progress, runtime, server
    from pipeline.release import lock

    # The lock is held here, before Prefect starts, so a second build gets one clear line,
    # not a failed run; the flow is told not to take it again.
    reporter = progress.TerminalProgress(err) if err.is_terminal else progress.Reporter()
    own_server = not os.environ.get("PREFECT_API_URL")
    with lock.exclusive(args.output), progress.reporting(reporter), server.starting() as answering:
        # Imported while the server starts, on the other core: the flow's modules and Great
        # Expectations. The flow would import the latter after planning, on its own critical
        # path: on the interpreter lock of the documents it processes on threads, and just
        # before validating when only a few files changed since the latest release.
        from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

        from flows.build import build_release

        runtime.quiet_great_expectations()
        params = _params(args).model_copy(update={"take_lock": False})
        flow = build_release.with_options(task_runner=_task_runner(args, params))
        # Heartbeats tell a server that outlives the run that the run still lives. The server
        # this command starts stops with it; the heartbeats only held the run's end until
        # their thread's next one-second tick.
        beats = {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None} if own_server else {}
        with server.using(answering()), temporary_settings(updates=beats):
            summary = flow(params)
    _print_summary(console, summary)
    return 0


def _task_runner(args: argparse.Namespace, params):
    """The task runner of ``--runner`` and ``--workers``, or for what they leave unset, the
    one the inbox needs (``runners.choose``: threads for one batch, else a process per core)."""
    from flows import processing, runners
    from pipeline import ingest

    kind, workers = args.runner, args.workers
    if kind is None or workers is None:
        batches = processing.inbox_batches(ingest.inbox_files(params.input_dir), params.batch_bytes,
                                           params.max_batch_files)
        kind, workers = runners.choose(kind, workers, batches)
    return runners.task_runner(kind, workers, args.dask_address)


def _serve(args: argparse.Namespace, console: Console) -> int:
    from flows import server
    from flows.build import build_release

    params = _params(args)
    with server.local_server() as api_url, server.using(api_url):
        console.print(f"serving build_release/{args.name} on {args.cron!r} against {api_url}; Ctrl-C stops")
        build_release.serve(name=args.name, cron=args.cron, parameters={"params": params.model_dump(mode="json")})
    return 0


def _print_summary(console: Console, summary: dict) -> None:
    if summary.get("published") is False:
        console.print(f"nothing changed since release {summary['release_id']}: the same inputs, settings and "
                      f"code; nothing published ({summary['release_path']})", soft_wrap=True, markup=False)
        return
    console.print(f"release {summary['release_id']}")
    table = Table(show_header=True)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in summary["row_counts"].items():
        table.add_row(name, str(rows))
    console.print(table)
    for reject in summary["rejects"]:
        console.print(f"rejected {reject['source_path']}: {reject['reason']}")
    console.print(f"validation {summary['validation']}; written to {summary['release_path']}", soft_wrap=True)


def run() -> None:
    """The ``speechcorpus`` command: ``main`` as a process of its own, ending without the
    interpreter's teardown (``runtime.without_teardown``)."""
    from flows import runtime

    exit_code = runtime.without_teardown()
    code = main()
    exit_code(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
