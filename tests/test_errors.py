"""The one helper that turns an exception into the first line of its message."""

import pytest

from diffbench._errors import describe, first_line


@pytest.mark.parametrize(
    "message, want",
    [
        ("one line", "one line"),
        ("  first\nsecond\n", "first"),
        ("\n\n  after blank lines \nnext", "after blank lines"),
        ("", "fallback"),
        ("   \n\t\n", "fallback"),
    ],
)
def test_first_line_takes_the_first_non_blank_line(message, want):
    assert first_line(message, "fallback") == want
    assert first_line(ValueError(message), "fallback") == want


@pytest.mark.parametrize(
    "exc, want",
    [
        (KeyError(), "KeyError"),  # str(KeyError()) is "": the old code raised IndexError here
        (ValueError(""), "ValueError"),
        (RuntimeError("boom\ntraceback-ish detail"), "RuntimeError: boom"),
        (OSError(28, "No space left on device"), "OSError: [Errno 28] No space left on device"),
    ],
)
def test_describe_names_the_type_and_the_first_line(exc, want):
    assert describe(exc) == want
