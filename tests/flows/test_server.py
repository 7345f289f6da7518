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
