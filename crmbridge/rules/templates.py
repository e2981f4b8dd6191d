"""Admin templates, compiled once and rendered in Jinja2's sandbox.

Templates are admin-written data: they can read the values handed to them and nothing
else (no attribute tricks to ``__class__``, no file or module access), and an unknown name
is an error at ``crmbridge check`` time rather than an empty field in the CRM.
"""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from crmbridge.errors import ConfigError


class _DataEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with a fast path for the plain data templates read.

    Templates see interactions and contacts as plain dicts of JSON values. Reading a key of
    such a dict hands out data, never a method or an attribute, so it can skip the sandbox's
    per-attribute checks (they dominate render time); anything else takes the checked path.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


_ENV = _DataEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


def truncate_text(value: Any, length: int = 255, end: str = "…") -> str:
    """Cut text to ``length`` characters, marking the cut."""
    text = "" if value is None else str(value)
    return text if len(text) <= length else text[: max(0, length - len(end))] + end


_ENV.filters["truncate_text"] = truncate_text


class Template:
    """One compiled template, with where it came from for error messages."""

    def __init__(self, source: str, where: str) -> None:
        self.source = source
        self.where = where
        self.constant = "{" not in source
        try:
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
        try:
            return self._template.render(context)
        except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
            # 1/0, 10**5000, "%s" % (): a template that breaks on a value is still a template
            # to fix, never an internal error that stops the run with a traceback.
            raise ConfigError(f"{self.where}: {type(exc).__name__}: {exc}") from None
