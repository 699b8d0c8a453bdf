"""Student text is escaped and repaired before it reaches an output (`ee449.grading.output.text`)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from ee449.grading.output.text import clean, clean_line


@given(st.text())
def test_clean_text_always_encodes_and_holds_no_control_character_but_newline_and_tab(text):
    cleaned = clean(text)
    cleaned.encode("utf-8")  # a lone surrogate would raise here
    assert all(ch in "\n\t" or (ord(ch) >= 0x20 and not 0x7F <= ord(ch) <= 0x9F) for ch in cleaned)
    json.dumps(cleaned, ensure_ascii=False).encode("utf-8")


def test_escapes_are_shown_as_text_and_surrogates_replaced():
    assert clean("red \x1b[31m\r\nx\ud800") == "red \\x1b[31m\\x0d\nx\ufffd"
    assert clean_line("a\nb\tc\u202e") == "a\\x0ab\\x09c\\u202e"
    assert clean("plain text, ünïcode") == "plain text, ünïcode"
