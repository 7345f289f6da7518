"""The latest release as a build may reuse it: found, its checksums checked, its index
tables read when they are of the current version, its fingerprints compared.

A build reuses nothing of a release it cannot trust: a damaged one (checksums), an index
of another version or layout (recomputed, with one log line), or anything at all under
``--full`` (the flow does not call this module then).
"""

import dataclasses
import json
from pathlib import Path

import pyarrow as pa
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.processing import transient
from pipeline.release import parquet, store, verify
from schemas.layout import INDEX_DIR

#: The index tables of the latest release that enrichment reuses.
ENRICH_INDEX = ("minhash", "terms")


@dataclasses.dataclass
class Previous:
    """The latest release as a build may reuse it: ``path`` None when nothing of it may be
    reused (a ``--full`` build, no release yet, or a damaged one), ``damaged`` the
    problems its checksums showed, ``ignored`` the index tables not reused and why."""

    path: Path | None = None
    release_id: str | None = None
    damaged: list[str] = dataclasses.field(default_factory=list)
    ignored: dict[str, str] = dataclasses.field(default_factory=dict)

    def describe(self) -> dict:
        """The manifest's ``previous_release``: what this build reused of which release."""
        return {"release_id": self.release_id, "reused": self.path is not None, "damaged": self.damaged,
                "ignored": dict(sorted(self.ignored.items()))}


def latest(output: Path) -> Path | None:
    """The latest release of ``output``, after removing what interrupted builds left."""
    stale = store.clean_stale_staging(output)
    if stale:
        get_run_logger().warning("removed %d unfinished release folder(s) left by an interrupted build", len(stale))
    return store.latest_release(output)


@task(name="check_previous", retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=transient, cache_policy=NO_CACHE)
def check(release: Path | None) -> Previous:
    """``release``, when its files have the checksums its manifest records; else nothing of
    it is reused: every table holds rows of every document, so one damaged file (a
    flipped byte in a disk's sector, an edit by hand) affects them all, and the build
    processes every document again from the inbox, as ``--full`` does. Reused, a damaged
    row would be republished under fresh checksums that ``verify`` then accepts."""
    if release is None:
        return Previous()
    damaged = verify.checksums(release)
    if damaged:
        get_run_logger().warning(
            "the latest release %s is damaged (%s%s): nothing of it is reused, every document is processed "
            "again from the inbox", release.name, damaged[0], f" and {len(damaged) - 1} more" if len(damaged) > 1 else "")
        return Previous(None, release.name, damaged)
    return Previous(release, release.name)


def read_enrich_index(release: Path | None) -> dict[str, tuple[pa.Table | None, str | None]]:
    """Enrichment's index tables of ``release``, each with the problem that bars its reuse."""
    return {name: parquet.read_current_index(release, name) for name in ENRICH_INDEX}


def current_index(previous: Previous, name: str) -> pa.Table | None:
    """The index table ``name`` of ``previous``, when it is of the current version."""
    return reusable(previous, name, *parquet.read_current_index(previous.path, name))


def reusable(previous: Previous, name: str, table: pa.Table | None, problem: str | None) -> pa.Table | None:
    """``table``, the index ``name`` read from the previous release; or, when ``problem``
    says it is of another version or layout, None, with one log line and a note for the
    manifest: the build recomputes it."""
    if problem is not None:
        get_run_logger().info("index/%s.parquet of %s is ignored and recomputed: %s", name, previous.release_id, problem)
        previous.ignored[f"{INDEX_DIR}/{name}.parquet"] = problem
    return table


def made_with(previous: Previous, settings: str, code: str) -> bool:
    """Whether ``previous`` (checked, reusable) was made with these ``settings`` and
    ``code``, as its manifest's fingerprints say."""
    if previous.path is None:
        return False
    try:
        made = json.loads((previous.path / "manifest.json").read_text(encoding="utf-8")).get("fingerprints") or {}
    except (OSError, ValueError):
        return False
    return made.get("settings") == settings and made.get("code") == code


def unchanged_summary(previous: Previous) -> dict:
    """What the command line prints for a run that published nothing."""
    manifest = json.loads((previous.path / "manifest.json").read_text(encoding="utf-8"))
    return {"published": False, "release_id": previous.release_id, "release_path": str(previous.path),
            "row_counts": manifest.get("row_counts", {}), "rejects": [], "validation": "unchanged"}
