"""``speechcorpus``: the command line over the flows.

Errors a user can fix (a missing inbox, a bad option, a release that failed validation)
print one line and exit non-zero; a traceback means a bug.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="speechcorpus",
        description="Turn scraped Chinese speech documents into a clean, segmented, validated dataset release.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser(
        "build",
        help="build a release from an inbox folder",
        description="Read every file of the inbox, clean, segment, tokenise and validate it, and publish "
        "OUTPUT/releases/<release_id>/ with OUTPUT/latest pointing at it. Runs Prefect's temporary "
        "local server; no server needs to be configured.",
    )
    build.add_argument("--input", type=Path, default=Path("data/inbox"), metavar="DIR",
                       help="inbox folder, read recursively (default: data/inbox)")
    build.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                       help="output folder for releases (default: output)")
    build.add_argument("--opencc-profile", default="t2s", metavar="NAME",
                       help="OpenCC conversion to simplified Chinese (default: t2s)")
    build.add_argument("--text-field", action="append", default=None, metavar="NAME",
                       help="JSONL/CSV field holding the text (repeatable; default: content, text, raw_content, full_text)")
    build.add_argument("--rules-dir", type=Path, action="append", default=[], metavar="DIR",
                       help="extra folder of site rule files, applied after the shipped ones (repeatable)")
    args = parser.parse_args(argv)
    console = Console(stderr=False)
    err = Console(stderr=True, soft_wrap=True)  # one error, one line, whatever the width
    if args.command == "build":
        return _build(args, console, err)
    return 2  # unreachable: argparse rejects unknown commands


def _build(args: argparse.Namespace, console: Console, err: Console) -> int:
    if not args.input.is_dir():
        err.print(f"[red]error:[/red] input folder {str(args.input)!r} does not exist")
        return 2
    from pipeline.errors import ConfigError, ValidationFailed
    from flows.build import RunParams, build_release

    try:
        params = RunParams(input_dir=args.input, output_dir=args.output,
                           opencc_profile=args.opencc_profile, rules_dirs=args.rules_dir,
                           **({"text_fields": args.text_field} if args.text_field else {}))
        summary = build_release(params)
    except ValidationFailed as exc:
        err.print(f"[red]error:[/red] validation failed, release refused: {exc.failures[0]}"
                  + (f" (and {len(exc.failures) - 1} more)" if len(exc.failures) > 1 else ""))
        return 1
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {exc}")
        return 2
    _print_summary(console, summary)
    return 0


def _print_summary(console: Console, summary: dict) -> None:
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


if __name__ == "__main__":
    sys.exit(main())
