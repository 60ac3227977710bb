"""Exercises: self-checks in notebooks (``check``, ``public_test``, ``assert_close``, ``hidden_test``),
and for teachers ``nnbook release`` (student versions) and ``nnbook grade`` (a sandboxed grader).
See exercises/README.md for the master format and docs/teaching.md for the workflow."""

from nnbook.grading.checks import assert_close, check, hidden_test, public_test, typical_mistake

__all__ = ["check", "public_test", "hidden_test", "assert_close", "typical_mistake"]
