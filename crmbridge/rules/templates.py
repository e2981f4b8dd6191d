"""Admin templates, compiled once and rendered in Jinja2's sandbox, under limits.

Templates are admin-written data: they can read the values handed to them and nothing
else (no attribute tricks to ``__class__``, no file or module access), and an unknown name
is an error at ``crmbridge check`` time rather than an empty field in the CRM.

They also render under limits, so a template cannot hang or exhaust a sync: no string or
list longer than ``MAX_VALUE`` and no number longer than ``MAX_DIGITS`` is built by an
operator or a filter, ``range`` yields at most ``MAX_ITERATIONS`` items per render, loops
nest at most ``MAX_LOOP_DEPTH`` deep, and a render running past ``MAX_SECONDS`` stops. A
template that breaks a limit is a ConfigError naming it, caught by ``crmbridge check``
(which renders the mapping on a sample) before any sync.
"""

from __future__ import annotations

import contextvars
import functools
import math
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import StrictUndefined, TemplateError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg

from crmbridge.errors import ConfigError

MAX_VALUE = 1_000_000  # characters of a string or items of a list (a record's own limit)
MAX_DIGITS = 10_000  # of a number
MAX_ITERATIONS = 10_000  # items all ``range`` calls of one render may yield
MAX_LOOP_DEPTH = 2
MAX_SECONDS = 1.0
_BITS = int(MAX_DIGITS * math.log2(10))
_WIDTH = re.compile(r"%[-+ #0]*(\d+|\*)")


class TemplateLimit(SecurityError):
    """A template went over one of the render limits."""


class _Budget:
    """One render's deadline and remaining ``range`` items."""

    def __init__(self) -> None:
        self.deadline = time.monotonic() + MAX_SECONDS
        self.items = MAX_ITERATIONS

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimit(f"template ran longer than {MAX_SECONDS:g} s")


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("budget", default=None)


def _check_time() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.check()


def _size(value: Any) -> int:
    """The size a limit applies to: length of text and sequences, digits of numbers."""
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return value.bit_length()
    if isinstance(value, str | bytes | list | tuple | dict):
        return len(value)
    return 0


def _too_big(operator: str, left: Any, right: Any) -> bool:
    """Whether ``left <operator> right`` would build a value over the limits."""
    sequence = (str, bytes, list, tuple)
    if operator == "*":
        if isinstance(left, int) and isinstance(right, sequence):
            left, right = right, left
        if isinstance(left, sequence) and isinstance(right, int):
            return len(left) * max(right, 0) > MAX_VALUE
        if isinstance(left, int) and isinstance(right, int):
            return left.bit_length() + right.bit_length() > _BITS
    if operator == "**" and isinstance(left, int) and isinstance(right, int):
        return abs(left) > 1 and right > 0 and right * abs(left).bit_length() > _BITS
    if operator == "+" and isinstance(left, sequence) and isinstance(right, sequence):
        return len(left) + len(right) > MAX_VALUE
    if operator == "%" and isinstance(left, str):
        widths = _WIDTH.findall(left)
        return "*" in widths or any(int(w) > MAX_VALUE for w in widths)
    return False


class _DataEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with a fast path for the plain data templates read.

    Templates see interactions and contacts as plain dicts of JSON values. Reading a key of
    such a dict hands out data, never a method or an attribute, so it can skip the sandbox's
    per-attribute checks (they dominate render time); anything else takes the checked path.
    """

    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})
    intercepted_unops = frozenset({"-"})

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        _check_time()
        return super().getattr(obj, attribute)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """An operator, refused when its result would break the size limit."""
        _check_time()
        if _too_big(operator, left, right):
            raise TemplateLimit(
                f"the {operator!r} in this template builds a value over {MAX_VALUE:,} "
                f"characters or items, or {MAX_DIGITS:,} digits"
            )
        return super().call_binop(context, operator, left, right)

    def call_unop(self, context: Context, operator: str, arg: Any) -> Any:
        """A unary operator (checked for time, like every operation)."""
        _check_time()
        return super().call_unop(context, operator, arg)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """A call (``range``, a method): checked for time, sizes where they build text."""
        _check_time()
        if __obj is _limited_range or type(getattr(__obj, "__self__", None)) is str:
            _refuse_big_arguments(args, kwargs)  # range(10**9), 'a'.center(10**9)
        return super().call(__context, __obj, *args, **kwargs)


def _refuse_big_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_VALUE:
            raise TemplateLimit(f"a number over {MAX_VALUE:,} is passed to a call or filter")


def _limited_range(*args: int) -> Iterator[int]:
    """``range``, counting its items against the render's budget."""
    budget = _BUDGET.get()
    for item in range(*args):
        if budget is not None:
            budget.items -= 1
            if budget.items < 0:
                raise TemplateLimit(f"loops ran more than {MAX_ITERATIONS:,} times")
            budget.check()
        yield item


def _limited_filter(func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses oversized number arguments (``center(10**9)``) and results."""
    skip = 1 if _PassArg.from_obj(func) is None else 2  # the value (after a context)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _check_time()
        _refuse_big_arguments(args[skip:], kwargs)
        result = func(*args, **kwargs)
        if isinstance(result, str | list) and len(result) > MAX_VALUE:
            raise TemplateLimit(f"a filter built a value over {MAX_VALUE:,} characters")
        return result

    return wrapper


_ENV = _DataEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
_ENV.globals["range"] = _limited_range


def truncate_text(value: Any, length: int = 255, end: str = "…") -> str:
    """Cut text to ``length`` characters, marking the cut."""
    text = "" if value is None else str(value)
    return text if len(text) <= length else text[: max(0, length - len(end))] + end


_ENV.filters["truncate_text"] = truncate_text
_ENV.filters.update({name: _limited_filter(f) for name, f in _ENV.filters.items()})


def _loop_depth(node: nodes.Node, depth: int = 0) -> int:
    """How deep ``for`` loops nest in a parsed template."""
    here = depth + 1 if isinstance(node, nodes.For) else depth
    return max([here, *(_loop_depth(child, here) for child in node.iter_child_nodes())])


class Template:
    """One compiled template, with where it came from for error messages."""

    def __init__(self, source: str, where: str) -> None:
        self.source = source
        self.where = where
        self.constant = "{" not in source
        try:
            if not self.constant and _loop_depth(_ENV.parse(source)) > MAX_LOOP_DEPTH:
                raise TemplateLimit(f"loops nest deeper than {MAX_LOOP_DEPTH}")
            self._template = None if self.constant else _ENV.from_string(source)
        except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: template does not compile: {exc}") from None

    def names(self) -> set[str]:
        """The top-level names the template reads (``i``, ``c``, …), whatever branch runs."""
        if self._template is None:
            return set()
        return meta.find_undeclared_variables(_ENV.parse(self.source))

    def render(self, context: dict[str, Any]) -> str:
        """Render with the given values; a template error is a ConfigError naming the field."""
        if self._template is None:
            return self.source
        token = _BUDGET.set(_Budget())
        try:
            text = self._template.render(context)
        except TemplateLimit as exc:
            raise ConfigError(
                f"{self.where}: template exceeds a limit: {exc}",
                hint="templates fill CRM fields: keep values small and loops short",
            ) from None
        except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
            # 1/0, 10**5000, "%s" % (): a template that breaks on a value is still a template
            # to fix, never an internal error that stops the run with a traceback.
            raise ConfigError(f"{self.where}: {type(exc).__name__}: {exc}") from None
        finally:
            _BUDGET.reset(token)
        return text
