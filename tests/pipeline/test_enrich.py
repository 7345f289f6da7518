"""pipeline.enrich: the corpus-wide steps together."""

from __future__ import annotations

import sys

import pytest

from pipeline.corpus import enrich


def test_the_switch_interval_is_shortened_only_while_inside():
    before = sys.getswitchinterval()
    with enrich._switching_every(0.0005):
        assert sys.getswitchinterval() == 0.0005
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError), enrich._switching_every(0.0005):
        raise RuntimeError("a failing step")
    assert sys.getswitchinterval() == before
    with enrich._switching_every(1.0):  # never lengthened
        assert sys.getswitchinterval() == before
