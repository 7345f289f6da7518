"""The ``build_release`` flow: inbox → batches → tables → validation → release.

Each task is a thin call into ``pipeline``. Work is scheduled per batch of files (a few
MB of text), never per paragraph: Prefect costs 5–10 ms per task in threads and
100+ ms in process runners, so a task must carry about a second of work.
"""

# No ``from __future__ import annotations`` here: Prefect builds the flow's parameter model
# from these annotations, and a served run that loads this module by entrypoint cannot
# resolve them from strings.
import concurrent.futures
import contextlib
import datetime as dt
import gc
import hashlib
import json
import shutil
import threading
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import quote
from pydantic import BaseModel, Field

import pipeline
from flows import progress, runners
from flows.processing import plan_batches, process_batches, process_inbox, transient
from pipeline import ingest, process, validate
from pipeline.corpus import enrich
from pipeline.release import jsonl, publish
from pipeline import incremental as incremental_
from pipeline.release import report as release_report
from pipeline.corpus.enrich import EnrichConfig
from pipeline.text.clean import CleanConfig
from pipeline.ingest import IngestConfig
from pipeline.text.normalize import NormalizeConfig
from pipeline.process import BuildConfig
from pipeline.corpus.tokenize import TokenizeConfig


class RunParams(BaseModel):
    """Parameters of a build, validated by Prefect before the flow starts."""

    input_dir: Path = Field(Path("data/inbox"), description="Inbox folder, read recursively.")
    output_dir: Path = Field(Path("output"), description="Where releases/<id>/ and latest go.")
    batch_bytes: int = Field(4_000_000, gt=0, description="Target input bytes per processing task.")
    max_batch_files: int = Field(200, gt=0, description="Most files per processing task.")
    opencc_profile: str = Field("t2s", description="OpenCC conversion to simplified.")
    text_fields: list[str] = Field(default_factory=lambda: list(IngestConfig().text_fields),
                                   description="JSONL/CSV fields holding the text, first present wins.")
    rules_dirs: list[Path] = Field(default_factory=list, description="Folders of extra site rules, applied after the shipped ones.")
    segmenter: str = Field("jieba", description="Word segmenter: jieba, or rjieba (jieba-rs, ~13x faster, optional package).")
    incremental: bool = Field(True, description="Carry unchanged documents over from the latest release.")
    wait_for_lock: float = Field(0.0, ge=0, description="Seconds to wait when another build holds the output folder.")

    def enrich_config(self) -> EnrichConfig:
        return EnrichConfig()

    def build_config(self) -> BuildConfig:
        return BuildConfig(
            ingest=IngestConfig(text_fields=tuple(self.text_fields)),
            normalize=NormalizeConfig(opencc_profile=self.opencc_profile),
            clean=CleanConfig(rules_dirs=(CleanConfig().rules_dirs + tuple(self.rules_dirs))),
            tokenize=TokenizeConfig(engine=self.segmenter),
        )


@task(retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=transient, cache_policy=NO_CACHE)
def plan_build(inbox: Path, previous: Path | None, config: BuildConfig, incremental: bool) -> incremental_.Plan:
    """Which files to process and which records to carry over from the latest release."""
    return incremental_.plan(ingest.inbox_files(inbox), inbox, previous if incremental else None, config)


@task(cache_policy=NO_CACHE)
def assemble_tables(batches: list[process.Batch]):
    return process.tables(batches)


@task(cache_policy=NO_CACHE)
def enrich_tables(tables, config: EnrichConfig, previous_index: dict, carried=None) -> enrich.Enriched:
    """``carried``: ids of the documents carried over from the release ``previous_index`` is of."""
    return enrich.tables(tables, config, previous_index, carried)


#: The index tables of the latest release that enrichment reuses.
ENRICH_INDEX = ("minhash", "terms")


def _read_enrich_index(previous: Path | None) -> dict:
    return {name: publish.read_index(previous, name) for name in ENRICH_INDEX}


@task(cache_policy=NO_CACHE)
def validate_tables(tables, data_docs: Path, unchanged=None) -> validate.ValidationReport:
    try:
        report = validate.validate(tables, data_docs, unchanged)
        report.raise_for_failures()
    except BaseException:
        shutil.rmtree(data_docs, ignore_errors=True)  # no release will carry them
        raise
    return report


@task(retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=transient, cache_policy=NO_CACHE)
def publish_release(output_dir: Path, release_id: str, tables, manifest: dict, data_docs: Path,
                    index: dict | None = None, data_files: Path | None = None) -> Path:
    return publish.write_release(output_dir, release_id, tables, manifest, index, data_docs, data_files)


def _download_reuse(previous: Path | None, tables, unchanged, carried_doc_ids) -> jsonl.Reuse | None:
    """What the JSONL download may copy from the previous release: the members whose
    speeches came out of this build exactly as that release holds them (one new page
    changed the keywords of 13 of 2,000 speeches, measured)."""
    members = publish.read_index(previous, jsonl.INDEX)
    if members is None or unchanged is None:
        return None
    speeches = jsonl.unchanged_speeches(tables, unchanged, carried_doc_ids)
    return jsonl.Reuse(previous / publish.DATA_DIR / publish.JSONL_NAME, members, speeches)


def _validate_while_writing(tables, index: dict, data_docs: Path, data_files: Path, logger, compared):
    """Validate, and meanwhile write the data files into ``data_files`` on a thread:
    Parquet and gzip run outside the GIL, so on a 50 MB release the two took 6.5 s
    together instead of 8 s one after the other (measured).

    ``compared()`` gives the rows validation may skip and what the download may copy
    (``validate.validate``'s ``unchanged``, ``jsonl.Reuse``). It runs on a thread of its
    own: the Parquet files, the index and the suites that see every row need neither,
    and comparing the rows of 2,000 documents took 0.3-0.45 s of a one-new-page build
    (measured).

    Returns the report and ``data_files``, or None when writing them failed: publishing
    then writes them itself, with its retries. Nothing is left behind when validation
    fails.
    """
    unchanged, reuse = concurrent.futures.Future(), concurrent.futures.Future()

    def compare() -> None:
        try:
            skip, copy = compared()
        except BaseException as exc:
            unchanged.set_exception(exc)
            reuse.set_exception(exc)  # the download is not written for a build that failed
            raise
        reuse.set_result(copy)
        unchanged.set_result(skip)

    with concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="data-files") as pool:
        writing = pool.submit(publish.write_data_files, data_files, tables, index, reuse)
        comparing = pool.submit(compare)
        try:
            report = validate_tables(tables, data_docs, unchanged)
            comparing.result()
        except BaseException:
            concurrent.futures.wait([writing, comparing])
            shutil.rmtree(data_files, ignore_errors=True)
            raise
        failure = writing.exception()
    if failure is not None:
        logger.warning("writing the data files ahead failed (%s); publishing writes them", failure)
        shutil.rmtree(data_files, ignore_errors=True)
        return report, None
    return report, data_files


def release_id_for(now: dt.datetime, tables) -> str:
    """``<UTC time>-<8 hex of the inputs and pipeline version>``: sortable and telling."""
    digest = hashlib.sha256(pipeline.__version__.encode())
    for name in ("documents", "rejects"):
        for row in tables[name].select(["source_path", "source_sha256"]).to_pylist():
            digest.update(f"{row['source_path']}\t{row['source_sha256']}\n".encode())
    return f"{now:%Y%m%dT%H%M%SZ}-{digest.hexdigest()[:8]}"


@flow(name="build_release", task_runner=ThreadPoolTaskRunner(max_workers=2), validate_parameters=True)
def build_release(params: RunParams = RunParams()) -> dict:
    """Build, validate and publish a release of every document in the inbox.

    Returns the summary the command line prints: release path, row counts, rejects.
    """
    output = params.output_dir.resolve()
    with publish.exclusive(output, params.wait_for_lock), _collecting_only_new_objects():
        return _build(params, output)


@contextlib.contextmanager
def _collecting_only_new_objects():
    """The garbage collector leaves the objects that exist now (the imported libraries:
    Prefect, pandas, Great Expectations, ~400,000 objects) out of its full collections
    until the build ends: scanning them took 0.28 s of a one-new-page build of 2,000
    documents, 0.10 s without them (measured)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _build(params: RunParams, output: Path) -> dict:
    logger = get_run_logger()
    config = params.build_config()
    inbox = params.input_dir.resolve()
    stale = publish.clean_stale_staging(output)
    if stale:
        logger.warning("removed %d unfinished release folder(s) left by an interrupted build", len(stale))

    previous = publish.latest_release(output)
    # Read while the build plans and processes: reading the 69 MB MinHash index of 2,000
    # documents took 0.5 s of a one-new-page build when enrichment waited for it (measured).
    reader = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="read-index")
    previous_index = reader.submit(_read_enrich_index, previous)
    reader.shutdown(wait=False)
    plan = plan_build(inbox, previous, config, params.incremental)
    # Great Expectations takes ~2.7 s to import (measured): on a thread, that overlaps
    # waiting for workers and the Arrow work of assembling and enriching. Not planning:
    # the import held the GIL while the plan read the previous release (4.0 s instead of
    # 1.45 s for 2,000 documents, measured). Validating in a process of its own, started
    # here, was no faster for one new page (12.7-13.9 s against 13.0-13.9 s) and its
    # ~650 MB beside the JSONL child took a 50 MB build past 2 GB (measured).
    threading.Thread(target=validate.preload, name="import-gx", daemon=True).start()
    runner = FlowRunContext.get().task_runner
    batches = plan_batches(plan.process, params.batch_bytes, params.max_batch_files, runners.parallelism(runner))
    logger.info("%d file(s) to process in %d batch(es); %d document(s) carried over from %s",
                len(plan.process), len(batches), plan.carried.documents, previous.name if previous else "nothing")
    # Workers in other processes leave their batches on disk rather than send them back.
    spill = None if isinstance(runner, ThreadPoolTaskRunner) else publish.staging_path(output, "batches")
    try:
        if isinstance(runner, ProcessPoolTaskRunner) and len(batches) > 1:
            # In a subflow with its own pool, shut down when it returns: the idle workers
            # (~600 MB each, measured) would otherwise live through the corpus-wide steps,
            # where this process peaks. The subflow sends no heartbeats: it runs in this
            # process, whose build run sends them, and Prefect joins a heartbeat thread
            # that sleeps in 1 s steps when a run ends (0.4-0.6 s from the last task to
            # the end of a subflow without it, 1.0-1.2 s with it, measured).
            with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
                results = process_inbox.with_options(task_runner=runner.duplicate())(batches, inbox, config, spill)
        else:
            results = process_batches(batches, inbox, config, spill)
        reporter = progress.current()
        changes = plan.summary()
        reporter.stage("enrich")
        # quote(): the batches hold every record; Prefect would walk them all looking for futures.
        assembled = assemble_tables(quote([plan.carried, *results]))
        process.require_documents(assembled)  # else the latest release stays latest
    finally:
        if spill is not None:
            shutil.rmtree(spill, ignore_errors=True)  # merged into sorted copies, or the build failed
    carried = plan.carried.tables
    # The assembled tables are sorted copies: let the batches' buffers go now, not when
    # the build ends (the carried rows stay until compared with what the build made of them).
    del results
    plan.carried = process.Batch()
    enriched = enrich_tables(assembled, params.enrich_config(), previous_index.result(),
                             carried["documents"].column("doc_id"))
    del assembled
    tables = enriched.tables
    index = {**enriched.index, incremental_.STATE: incremental_.state_table(tables, incremental_.fingerprints(config))}

    # Here, not in the comparison: that runs on a thread while validation holds GX's setup lock.
    same_suites = validate.release_suites_sha256(previous) == validate.suites_digest()

    def compared_with_previous():
        nonlocal carried
        old, carried = carried, None  # compared once, then let go
        if not old["documents"].num_rows:
            return None, None
        unchanged = incremental_.unchanged_rows(old, tables)
        reuse = _download_reuse(previous, tables, unchanged, old["documents"].column("doc_id"))
        # the rules changed: what passed the old ones is checked again
        return unchanged if same_suites else None, reuse

    reporter.stage("validate")
    data_docs = publish.staging_path(output, "validation")
    report, data_files = _validate_while_writing(tables, index, data_docs, publish.staging_path(output, "data"),
                                                 logger, compared_with_previous)

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    release_id = release_id_for(now, tables)
    manifest = process.manifest(release_id, now, tables, report.to_dict(), config)
    manifest["enrichment"] = enriched.summary
    manifest["deduplication"] = {**params.enrich_config().dedup.describe(), "stats": enriched.summary["dedup"]}
    manifest["changes"] = changes
    reporter.stage("publish")
    # the index went into data_files with the data, unless writing them ahead failed
    # quote(): the manifest lists every input file; Prefect would walk its nodes looking
    # for futures, twice (12,000 nodes for 2,000 documents).
    path = publish_release(output, release_id, tables, quote(manifest), data_docs,
                           index=index if data_files is None else None, data_files=data_files)
    reporter.done()

    counts = {name: t.num_rows for name, t in tables.items()}
    summary = {
        "release_id": release_id,
        "release_path": str(path),
        "row_counts": counts,
        "rejects": tables["rejects"].select(["source_path", "reason"]).to_pylist(),
        "validation": "passed",
    }
    published = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    create_markdown_artifact(
        key="release-summary",
        markdown=release_report.summary_markdown(tables, published),
        description=f"speechcorpus release {release_id}",
    )
    return summary
