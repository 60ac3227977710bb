"""Self-checks inside a notebook: ``public_test`` registers a test, ``check`` runs a question's tests
and prints a friendly report, ``hidden_test`` declares what the grader asks (master only),
``assert_close`` compares with tolerances and says expected vs got."""

from __future__ import annotations

import copy
import inspect
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nnbook.grading.compare import ATOL, RTOL, compare
from nnbook.grading.spec import Spec


class NotAttempted(NotImplementedError):
    """Raised by ``assert_close`` when the value is still the stub ``...``."""


class CheckFailed(AssertionError):
    """A failed ``assert_close``, carrying the hint of that check (not of the whole test)."""

    def __init__(self, message: str, hint: str | None = None, what: str = ""):
        super().__init__(message)
        self.hint, self.what = hint, what


@dataclass
class Mistake:
    """A typical wrong answer to a question, declared in a master's hidden part."""

    qid: str
    name: str
    code: str
    public_only: bool = False


_MISTAKES: list[Mistake] = []


def typical_mistake(qid: str, name: str, code: str, public_only: bool = False) -> None:
    """Declare (master only, in a hidden cell, with literal arguments) a typical wrong answer to
    ``qid``: ``code`` redefines what the solution defines, with the mistake in it. Each one must
    fail at least one public test with a message and lose points in the hidden tests
    (tests/test_grading_mistakes.py runs them). ``public_only=True`` declares a mistake that only
    changes an argument in place, in a question without a hidden test of the arguments: it must
    fail a public test, change an argument, and lose no hidden points. Here the code is only compiled."""
    qid = _qid(qid)
    if not (isinstance(name, str) and name and isinstance(code, str) and code.strip()):
        raise ValueError("typical_mistake(qid, name, code) needs a name and the code of the wrong answer")
    if not isinstance(public_only, bool):
        raise ValueError(f"typical_mistake(public_only=...) is True or False; got {public_only!r}")
    compile(code, f"<typical mistake {qid}: {name}>", "exec")
    mistake = Mistake(qid, name, code, public_only)
    _MISTAKES[:] = [m for m in _MISTAKES if (m.qid, m.name) != (qid, name)] + [mistake]


@dataclass
class PublicTest:
    qid: str
    fn: Callable[[], Any]
    hint: str | None = None


_PUBLIC: dict[str, dict[str, PublicTest]] = {}
_HIDDEN: list[Spec] = []


def _key(fn: Callable) -> str:
    """Re-running a test cell replaces its tests instead of adding copies."""
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return f"{fn.__name__}:{fn.__code__.co_firstlineno}"


def _qid(qid) -> str:
    if not isinstance(qid, str) or not qid:
        raise ValueError(f"question ids are strings like 'q1'; got {qid!r}")
    return qid


def public_test(qid: str, hint: str | None = None) -> Callable:
    """Decorator: register the decorated function as a public test of question ``qid``."""
    qid = _qid(qid)

    def register(fn: Callable) -> Callable:
        _PUBLIC.setdefault(qid, {})[_key(fn)] = PublicTest(qid, fn, hint)
        return fn

    return register


def assert_close(
    got, expected, what: str = "value", rtol: float = RTOL, atol: float = ATOL, hint: str | None = None
) -> None:
    """Raise AssertionError saying what was checked and expected vs got unless ``got`` matches
    ``expected``; ``hint`` is shown for this check only (instead of the test's hint)."""
    if got is Ellipsis:
        raise NotAttempted(f"{what} is still `...`")
    msg = compare(got, expected, rtol=rtol, atol=atol)
    if msg:
        raise CheckFailed(f"{what}: {msg}", hint, what)


@dataclass
class Outcome:
    """The result of one public test: 'passed', 'failed', 'error' or 'not attempted'."""

    status: str
    name: str
    message: str = ""
    hint: str | None = None


def _describe_error(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    frame = next((f for f in reversed(tb) if "nnbook/grading" not in f.filename.replace("\\", "/")), None)
    where = f" (line {frame.lineno}: {frame.line.strip()})" if frame and frame.line else ""
    return f"{type(exc).__name__}: {exc}{where}"


def run_public(qid: str) -> list[Outcome]:
    """Run the public tests of ``qid`` and return their outcomes; never raises (but lets
    KeyboardInterrupt through, so an interrupt stops a runaway test)."""
    outcomes = []
    for i, test in enumerate(_PUBLIC.get(qid, {}).values(), 1):
        doc = (test.fn.__doc__ or "").strip().splitlines()
        name = doc[0] if doc else test.fn.__name__.replace("_", " ").strip() or f"test {i}"
        try:
            test.fn()
        except NotImplementedError as e:
            outcomes.append(Outcome("not attempted", name, str(e)))
        except TypeError as e:
            if "'ellipsis'" in str(e):  # arithmetic on a `...` stub
                outcomes.append(Outcome("not attempted", name, "the answer is still `...`"))
            else:
                outcomes.append(Outcome("error", name, _describe_error(e), test.hint))
        except AssertionError as e:  # the hint of the check that failed, else the test's
            if not doc and test.fn.__name__ == "_" and getattr(e, "what", ""):
                name = e.what  # an unnamed test is named by the check that failed
            outcomes.append(
                Outcome("failed", name, str(e) or _describe_error(e), getattr(e, "hint", None) or test.hint)
            )
        except (Exception, SystemExit) as e:
            outcomes.append(Outcome("error", name, _describe_error(e), test.hint))
        else:
            outcomes.append(Outcome("passed", name))
    return outcomes


def report(qid: str, outcomes: list[Outcome]) -> str:
    """The friendly text ``check`` prints."""
    if not outcomes:
        return f"{qid}: no public tests are registered for this question (run the test cell above first)."
    statuses = {o.status for o in outcomes}
    if statuses == {"passed"}:
        return f"{qid}: all {len(outcomes)} public test(s) passed. (The grader also runs hidden tests.)"
    if statuses == {"not attempted"}:
        return f"{qid}: not attempted yet: replace the `raise NotImplementedError` / `...` with your answer."
    n_ok = sum(o.status == "passed" for o in outcomes)
    lines = [f"{qid}: {n_ok} of {len(outcomes)} public test(s) passed."]
    for o in outcomes:
        if o.status == "passed":
            lines.append(f"  ✓ {o.name}")
            continue
        lines.append(f"  ✗ {o.name}: {o.status}")
        lines += [f"    {line}" for line in o.message.splitlines()]
        if o.hint and o.status != "not attempted":
            lines.append(f"    hint: {o.hint}")
    return "\n".join(lines)


def check(qid: str) -> None:
    """Run the public tests of question ``qid`` and print a friendly report. Never raises."""
    try:
        print(report(str(qid), run_public(str(qid))))
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # a report must never stop the notebook
        print(f"{qid}: the check itself failed: {type(e).__name__}: {e}")


def _plain_inputs(inputs) -> list[tuple]:
    from nnbook.grading.plain import NotPlainData, encode

    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError("hidden_test(call=...) needs inputs=[(args...), ...], a non-empty list of tuples")
    out = []
    for i, args in enumerate(inputs):
        args = tuple(args) if isinstance(args, (list, tuple)) else (args,)
        try:
            encode(list(args))
        except NotPlainData as e:
            raise ValueError(f"hidden_test inputs[{i}] must be plain data: {e}") from None
        out.append(args)
    return out


def hidden_test(
    qid: str,
    points: float,
    call: str | None = None,
    value: str | None = None,
    inputs=None,
    rtol: float = RTOL,
    atol: float = ATOL,
    expected=None,
    part: int | None = None,
    label: str = "",
    arguments: bool = False,
) -> None:
    """Declare a hidden test (master only). In the master it also checks the reference solution:
    the function must run on every input and return plain data, matching ``expected`` if given
    (a list with one expected result per input for ``call``, the value itself for ``value``).
    With ``part=k`` (``call`` only) the test grades item k of the function's tuple result (named
    ``label`` in the feedback): a question's points can then be split over the parts of its
    answer, one hidden test each, and ``expected`` gives that item. With ``arguments=True``
    (``call`` only) the test grades the arguments as the call leaves them, compared with what the
    reference leaves (``part=k``: argument k; ``expected`` gives them): a student's function that
    changes an argument in place loses these points, and so does one whose result is wrong."""
    from nnbook.grading.plain import encode

    qid = _qid(qid)
    if (call is None) == (value is None):
        raise ValueError("hidden_test needs exactly one of call='function_name' or value='variable_name'")
    if not (isinstance(points, (int, float)) and points > 0):
        raise ValueError(f"hidden_test points must be a positive number; got {points!r}")
    if part is not None and (call is None or not isinstance(part, int) or isinstance(part, bool)):
        raise ValueError("hidden_test(part=k) takes an integer index and needs call=")
    if not isinstance(arguments, bool) or (arguments and call is None):
        raise ValueError("hidden_test(arguments=True) grades the arguments after a call: it needs call=")
    spec = Spec(
        qid,
        float(points),
        call,
        value,
        _plain_inputs(inputs) if call else [],
        rtol,
        atol,
        part=part,
        label=str(label),
        arguments=arguments,
    )
    if value is not None and inputs is not None:
        raise ValueError("hidden_test(value=...) takes no inputs")
    frame = inspect.currentframe().f_back  # the notebook cell that declared the test
    caller, where = frame.f_globals, (frame.f_code.co_filename, frame.f_lineno, part)  # a loop may declare parts
    name = call or value
    if name not in caller:
        raise NameError(f"hidden_test({qid!r}): {name!r} is not defined in the notebook")
    if call:
        results = []
        for args in spec.inputs:
            args = list(copy.deepcopy(args))  # keep the inputs intact
            result = caller[call](*args)
            results.append((result, args) if arguments else result)
        if expected is not None and len(expected) != len(results):
            raise ValueError(f"hidden_test({qid!r}): expected has {len(expected)} items for {len(results)} inputs")
    else:
        results = [caller[value]]
        expected = None if expected is None else [expected]
    for i, got in enumerate(results):
        encode(got)  # the reference must return plain data, or the grader cannot compare
        has_part, got = spec.select(got)
        if not has_part:
            what = "call has no argument" if arguments else "result has no item"
            raise ValueError(f"hidden_test({qid!r}, part={part}): the reference {what} {part}")
        if expected is not None:
            msg = compare(got, expected[i], rtol, atol)
            if msg:
                raise AssertionError(f"hidden_test({qid!r}) reference, case {i}: {msg}")
    spec.where = where
    _HIDDEN[:] = [h for h in _HIDDEN if h.where != where]
    _HIDDEN.append(spec)


__all__ = ["check", "public_test", "hidden_test", "assert_close", "typical_mistake"]
