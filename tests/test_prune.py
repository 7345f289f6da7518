"""`speechcorpus prune --keep N`: old releases go, never `latest`, never one a reader holds;
and a release's Data Docs assets are stored once for all releases.

Releases here are published by ``store.write_release`` from the seed's tables (no Prefect),
under several ids, each with Data Docs.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, SEED
from pipeline import process, validate
from pipeline.corpus import enrich
from pipeline.release import describe, lock, store, verify

READER = ("import sys, time\nfrom pipeline.release import lock\n"
          "with lock.reading(sys.argv[1]):\n    print('held', flush=True)\n    sys.stdin.readline()\n")


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    """The seed's tables, index and manifest, and Data Docs of their validation."""
    enriched = enrich.tables(process.tables([process.batch([SEED], SEED.parent)]))
    docs = tmp_path_factory.mktemp("docs") / "validation"
    report = validate.validate(enriched.tables, docs)
    manifest = describe.manifest("r", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), enriched.tables,
                                 report.to_dict(), process.BuildConfig())
    return enriched, manifest, docs


def _publish(out, release_id, parts):
    enriched, manifest, docs = parts
    copy = store.staging_path(out, "validation")
    shutil.copytree(docs, copy)
    return store.write_release(out, release_id, enriched.tables, {**manifest, "release_id": release_id},
                               enriched.index, copy)


@pytest.fixture
def five(tmp_path, parts):
    out = tmp_path / "out"
    for i in range(1, 6):
        _publish(out, f"2026010{i}T000000Z-r{i}", parts)
    return out


def _names(out):
    return sorted(p.name for p in (out / "releases").iterdir() if not p.name.startswith("."))


def _hold(release):
    reader = subprocess.Popen([sys.executable, "-c", READER, str(release)], cwd=REPO, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "held"
    return reader


def test_prune_keeps_the_newest_latest_and_every_release_a_reader_holds(five):
    r1, r2, r3, r4, r5 = _names(five)
    store._point_latest(five, r2)  # a release rolled back to: latest is not the newest
    reader = _hold(five / "releases" / r1)
    try:
        pruned = store.prune(five, keep=2)
        assert pruned.removed == [r3] and pruned.held == [r1]
        assert _names(five) == [r1, r2, r4, r5]
    finally:
        reader.communicate("done\n")
    assert store.prune(five, keep=2).removed == [r1]  # no longer held
    assert _names(five) == [r2, r4, r5]
    assert verify.output(five) == []
    for name in _names(five):
        assert verify.release(five / "releases" / name, run_suites=False) == []
        assert (five / "releases" / name / "validation" / "index.html").is_file()


def test_data_docs_assets_are_stored_once_and_collected_with_the_last_release_using_them(five):
    names = _names(five)
    static = [p.relative_to(five / "releases" / names[0]) for p in (five / "releases" / names[0] / "validation").rglob("*")
              if p.is_file() and "static" in p.parts]
    assert static
    for relative in static:  # the same file in every release: one inode, one copy on disk
        assert len({(five / "releases" / name / relative).stat().st_ino for name in names}) == 1, relative
    assert not list((five / "releases" / names[0] / "validation").rglob("*.gif"))  # unused by every page
    assert not list((five / "releases" / names[0] / "validation").rglob("*.otf"))
    store.prune(five, keep=1)
    assert _names(five) == [names[-1]]
    assert all(blob.stat().st_nlink > 1 for blob in (five / store.ASSETS_DIR).iterdir())  # nothing unused is left
    assert verify.output(five) == []


def test_prune_never_removes_latest_and_refuses_keep_zero(five):
    with pytest.raises(ValueError, match="keep"):
        store.prune(five, keep=0)
    names = _names(five)
    store._point_latest(five, names[0])
    assert store.prune(five, keep=1).removed == names[1:-1]
    assert _names(five) == [names[0], names[-1]]


def test_a_reader_lock_is_shared_and_a_pruned_release_is_gone_for_later_readers(five):
    oldest = five / "releases" / _names(five)[0]
    with lock.reading(oldest), lock.reading(oldest):  # readers share it
        assert store.prune(five, keep=1).held == [oldest.name]
    store.prune(five, keep=1)
    with pytest.raises(FileNotFoundError, match="pruned|does not exist"):
        with lock.reading(oldest):
            pass


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"})


def test_cli_prune_says_what_it_removed_and_waits_for_no_build(five):
    names = _names(five)
    result = _cli("prune", str(five), "--keep", "2")
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stdout.splitlines() if line.startswith("removed")] == \
        [f"removed {name}" for name in names[:3]]
    assert _names(five) == names[3:]
    bad = _cli("prune", str(five), "--keep", "0")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    with lock.exclusive(five):
        locked = _cli("prune", str(five), "--keep", "1")
    assert locked.returncode == 3 and "another build" in locked.stderr


def test_verify_and_show_hold_the_release_while_they_read_it(five, monkeypatch):
    from flows import cli

    held = []
    real = lock.reading

    def noting(path, *args, **kwargs):
        held.append(os.path.realpath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(lock, "reading", noting)
    latest = str((five / "latest").resolve())
    assert cli.main(["verify", str(five)]) == 0
    assert cli.main(["show", str(five)]) == 0
    assert held == [latest, latest]
