"""Prefect wiring over ``pipeline``: flows, tasks and the command line.

``build`` is the build flow; ``processing`` the per-file work its workers import;
``previous_release`` what a build may reuse of the latest release; ``overlap`` every thread a build starts; ``runtime`` every process-wide setting;
``download`` the JSONL download's child process; ``server`` a local Prefect server;
``runners``, ``progress`` and ``cli`` the rest of the command.
"""
