"""The command line's error handling (the full build is tested in tests/flows)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO
from flows import cli


def test_missing_input_is_one_line_and_exit_2(tmp_path, capsys):
    assert cli.main(["build", "--input", str(tmp_path / "nope"), "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not exist" in err[0]


def test_the_command_as_a_process_exits_with_the_code_of_main(tmp_path):
    """``run``, the command's entry point, ends its process with ``main``'s exit code."""
    out = subprocess.run([sys.executable, "-m", "flows.cli", "build", "--input", str(tmp_path / "nope")],
                         cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 2
    assert "does not exist" in out.stderr


def test_help_lists_the_build_options():
    out = subprocess.run([sys.executable, "-m", "flows.cli", "build", "--help"], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0
    for option in ("--input", "--output", "--opencc-profile", "--rules-dir", "--text-field"):
        assert option in out.stdout


def test_part_rows_reaches_the_build_and_its_help_names_the_layouts_default():
    from flows.build import RunParams
    from schemas.layout import PART_ROWS

    def params(*options):
        return cli._params(cli.parser().parse_args(["build", *options]))

    assert params().part_rows == RunParams().part_rows == PART_ROWS
    assert params("--part-rows", "7").part_rows == 7
    with pytest.raises(ValueError, match="part_rows"):
        params("--part-rows", "0")
    build = next(a for a in cli.parser()._subparsers._group_actions[0].choices["build"]._actions if a.dest == "part_rows")
    assert f"(default: {PART_ROWS})" in build.help


def test_unknown_command_fails(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["frobnicate"])
    assert exit_info.value.code == 2


def test_a_build_picks_its_runner_from_the_inbox_unless_told(tmp_path):
    """One file fits one batch: threads in the build's own process, no worker to start; an
    inbox of several batches gets a process per core (``runners.choose``); options win."""
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    (tmp_path / "one.txt").write_text("在全市工作会议上的讲话\n同志们：\n今天召开会议。", encoding="utf-8")

    def runner(*options):
        args = cli.parser().parse_args(["build", "--input", str(tmp_path), *options])
        return cli._task_runner(args, cli._params(args))

    assert isinstance(runner(), ThreadPoolTaskRunner)
    assert isinstance(runner("--runner", "processes"), ProcessPoolTaskRunner)
    told = runner("--runner", "processes", "--workers", "3")
    assert told._max_workers == 3
