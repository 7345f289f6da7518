"""The terminal bar names every stage, however short the stage is."""

from __future__ import annotations

import io
import re

from rich.console import Console

from flows.progress import TerminalProgress


def test_every_stage_is_drawn_even_when_it_ends_before_the_next_refresh():
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, force_interactive=True, width=120)
    bar = TerminalProgress(console)
    bar.start(3)
    bar.advance(3)
    # Back to back, well inside rich's 100 ms refresh period, as a tiny release's steps are.
    for stage in ("enrich", "validate", "publish"):
        bar.stage(stage)
    bar.done()
    drawn = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    for stage in ("enrich", "validate", "publish", "published"):
        assert re.search(rf"(^|\r){stage}\s", drawn, re.M), stage
    assert "3/3" in drawn
