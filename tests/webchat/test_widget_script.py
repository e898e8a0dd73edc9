"""The widget's script itself, read from disk: no browser nor stack needed."""
from __future__ import annotations

import re

from bot.settings import ROOT


def test_script_is_small_and_framework_free():
    script = (ROOT / "webchat" / "widget.js").read_bytes()
    assert len(script) <= 30 * 1024
    assert not re.search(rb"\b(import|require)\s*\(|https?://(?!GATEWAY|passerelle)", script)
