"""``server.using``: every Prefect client of the process, in any thread, talks to the
server a command started."""

from __future__ import annotations

import threading

from flows import server


def _api_url_seen_by_a_new_thread() -> str | None:
    """What a thread Prefect starts itself (it copies no context) reads as the API URL."""
    from prefect.settings import get_current_settings

    seen = []
    thread = threading.Thread(target=lambda: seen.append(get_current_settings().api.url))
    thread.start()
    thread.join()
    return seen[0]


def test_threads_that_copy_no_context_use_the_server_and_the_old_setting_comes_back():
    # Before the fix, the process runner's message forwarder read no URL here and
    # started a temporary server of its own in the middle of the build.
    before = _api_url_seen_by_a_new_thread()
    url = "http://127.0.0.1:1/api"
    with server.using(url):
        assert _api_url_seen_by_a_new_thread() == url
    assert _api_url_seen_by_a_new_thread() == before


def test_a_build_sends_heartbeats_only_to_a_server_that_outlives_it(harness, tmp_path, monkeypatch):
    """Heartbeats tell a server that a run still lives: kept for the server of
    ``PREFECT_API_URL``, dropped for the one the command starts and stops with itself."""
    import contextlib

    from prefect import flow
    from prefect.settings import get_current_settings

    import flows.build
    from flows import cli

    heartbeats = []

    @flow
    def noting_heartbeats(params):
        heartbeats.append(get_current_settings().flows.heartbeat_frequency)
        return {"published": False, "release_id": "none", "release_path": str(tmp_path)}

    monkeypatch.setattr(flows.build, "build_release", noting_heartbeats)
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "one.txt").write_text("在全市工作会议上的讲话\n同志们：\n今天召开会议。", encoding="utf-8")
    build = ["build", "--input", str(tmp_path / "inbox"), "--output", str(tmp_path / "out")]
    assert cli.main(build) == 0  # on the harness's server, given by PREFECT_API_URL

    @contextlib.contextmanager
    def started():  # the harness's server stands for one the command started
        yield lambda: harness

    monkeypatch.setattr(server, "starting", started)
    monkeypatch.delenv("PREFECT_API_URL")
    assert cli.main(build) == 0
    assert heartbeats == [get_current_settings().flows.heartbeat_frequency, None]
    assert heartbeats[0] is not None


def test_a_build_imports_great_expectations_before_its_flow_runs_whatever_the_runner(harness, tmp_path, monkeypatch):
    """Imported after planning, it lay on the flow's critical path: before validating, in an
    incremental build of a few files on the processes runner."""
    from prefect import flow

    import flows.build
    from flows import cli, runtime

    events = []
    monkeypatch.setattr(runtime, "quiet_great_expectations", lambda: events.append("imported"))

    @flow
    def noting_the_start(params):
        events.append("flow")
        return {"published": False, "release_id": "none", "release_path": str(tmp_path)}

    monkeypatch.setattr(flows.build, "build_release", noting_the_start)
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "one.txt").write_text("在全市工作会议上的讲话\n同志们：\n今天召开会议。", encoding="utf-8")
    for runner in ("threads", "processes"):
        assert cli.main(["build", "--runner", runner, "--input", str(tmp_path / "inbox"),
                         "--output", str(tmp_path / "out")]) == 0
    assert events == ["imported", "flow"] * 2
