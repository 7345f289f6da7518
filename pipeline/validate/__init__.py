"""The release's data contract, checked with Great Expectations before anything is published.

- ``suites``: the expectation suites, derived from ``schemas.TABLES``;
- ``run``: running them on a release's tables (``validate``, or step by step a ``Session``);
- ``results``: what was found, per table, and every failure in words;
- ``quarantine``: documents whose rows broke a row-level expectation, moved to the rejects;
- ``datadocs``: Great Expectations' Data Docs made readable offline.
"""

from pipeline.validate.quarantine import Quarantined, quarantine
from pipeline.validate.results import Failure, RowFailure, TableResult, ValidationReport
from pipeline.validate.run import DATA_DOCS_SITE, RESULT_FORMAT, Session, validate
from pipeline.validate.suites import (
    dangling_references, keys_suite_for, references_suite_for, release_suites_sha256, suite_for, suites_digest,
)

__all__ = [
    "DATA_DOCS_SITE", "RESULT_FORMAT", "Failure", "Quarantined", "RowFailure", "Session", "TableResult",
    "ValidationReport", "dangling_references", "quarantine",
    "keys_suite_for", "references_suite_for", "release_suites_sha256", "suite_for", "suites_digest", "validate",
]
