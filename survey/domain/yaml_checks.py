"""Reading YAML strictly and checking its fields, reporting each problem with its location.

Used by the questionnaire loader; kept apart so the questionnaire rules read on their own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import yaml

T = TypeVar("T")

# Scoring facts are published and live in the templates; a definition may not restate them.
_SCORING_FIELDS = frozenset(
    {
        "bands",
        "band",
        "cut_offs",
        "cutoffs",
        "cut_scores",
        "cut_points",
        "thresholds",
        "scoring",
        "subscales",
        "reverse_items",
        "reverse_keyed",
        "missing_rule",
    }
)


class QuestionnaireError(ValueError):
    """A questionnaire definition is invalid; says where (file and path) and why."""

    def __init__(self, source: str, path: str, message: str) -> None:
        super().__init__(f"{source}: {path}: {message}" if path else f"{source}: {message}")
        self.source = source
        self.path = path
        self.message = message

    @property
    def problems(self) -> tuple[QuestionnaireError, ...]:
        """Every problem this error stands for (one, unless several were collected)."""
        return (self,)


class QuestionnaireProblems(QuestionnaireError):
    """All the problems found in one definition, in the order found; the first leads."""

    def __init__(self, problems: list[QuestionnaireError]) -> None:
        first = problems[0]
        super().__init__(first.source, first.path, first.message)
        self._problems = tuple(problems)

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self._problems)

    @property
    def problems(self) -> tuple[QuestionnaireError, ...]:
        """Every problem found, in the order found."""
        return self._problems


class _AlreadyNoted(QuestionnaireError):
    """Stops checking one part whose problems the Checker has already noted."""

    @property
    def problems(self) -> tuple[QuestionnaireError, ...]:
        return ()


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys instead of keeping the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) or key is None:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {cut(key)}", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


# A questionnaire is a few hundred nodes a few levels deep. These bounds are far above any
# real file and far below what an alias bomb (475 bytes, 10^8 nodes) or 1,000 nested
# brackets need, and they are checked on the event stream, before any value is built.
MAX_DEPTH = 32
MAX_NODES = 20_000
MAX_ALIASES = 200
# How much of a person's value an error message may quote.
SHOWN_CHARACTERS = 60


def parse_yaml(text: str, source: str) -> object:
    """Parse YAML safely, turning syntax errors into QuestionnaireError with a line number.

    Depth, aliases and the size the aliases would expand to are checked first, on the
    parser's events, so a small file can never become a huge value (or a huge message).
    """
    _check_shape(text, source)
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(text)  # its reader refuses a NUL or other control character
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "unreadable"
        raise QuestionnaireError(source, where, f"YAML syntax error: {_shorten(problem)}") from None
    except yaml.reader.ReaderError as exc:
        code = exc.character if isinstance(exc.character, int) else 0
        raise QuestionnaireError(
            source,
            f"character {exc.position + 1}",
            f"YAML syntax error: unacceptable character #x{code:04x} (a control character)",
        ) from None
    except yaml.YAMLError as exc:
        raise QuestionnaireError(source, "", f"YAML syntax error: {_shorten(str(exc))}") from None
    except RecursionError:
        raise QuestionnaireError(source, "", _TOO_DEEP) from None
    except (ValueError, OverflowError, AttributeError, TypeError):
        # PyYAML's own constructors: a 5,000-digit number, a date such as 2026-13-45, or an
        # explicit tag on a value of the wrong shape (`!!timestamp 2026-13-45` fails inside
        # PyYAML with an AttributeError).
        raise QuestionnaireError(
            source,
            "",
            "a value cannot be read (a number too long, a date that does not exist, "
            "or a tagged value of the wrong shape)",
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


_TOO_DEEP = f"the YAML is nested too deeply (more than {MAX_DEPTH} levels)"


def _check_shape(text: str, source: str) -> None:
    """Refuse YAML too deep, with too many aliases, or expanding to too many nodes."""
    # Each open collection: [its expanded size so far, its anchor or None].
    stack: list[list[Any]] = [[0, None]]
    sizes: dict[str, int] = {}
    aliases = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            where = _line(event)
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise QuestionnaireError(
                        source, where, f"too many YAML aliases (more than {MAX_ALIASES})"
                    )
                if event.anchor not in sizes:
                    # Undefined, or an alias inside its own anchor (a loop): never expanded.
                    raise QuestionnaireError(
                        source, where, "a YAML alias refers to a node that is not complete"
                    )
                stack[-1][0] += sizes[event.anchor]
            elif isinstance(event, yaml.ScalarEvent):
                stack[-1][0] += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.CollectionStartEvent):
                if len(stack) > MAX_DEPTH:
                    raise QuestionnaireError(source, where, _TOO_DEEP)
                stack.append([1, event.anchor])
            elif isinstance(event, yaml.CollectionEndEvent):
                size, anchor = stack.pop()
                if anchor is not None:
                    sizes[anchor] = size
                stack[-1][0] += size
            if stack[-1][0] > MAX_NODES or sum(level[0] for level in stack) > MAX_NODES:
                raise QuestionnaireError(
                    source,
                    where,
                    f"the YAML expands to more than {MAX_NODES} values (through its aliases)",
                )
    except yaml.YAMLError:
        return  # the real parse reports syntax errors with their position


def _shorten(text: str, limit: int = 200) -> str:
    # The parser's own words can quote the file (a duplicate key, say): keep them short.
    text = " ".join(text.split())
    return text if len(text) <= limit else f"{text[:limit]}... (cut)"


def _line(event: yaml.Event) -> str:
    mark = event.start_mark
    return f"line {mark.line + 1}" if mark is not None else ""


def cut(value: object, limit: int = SHOWN_CHARACTERS) -> str:
    """Quote a person's value for a message: text cut to `limit` characters (and said so)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int) and value.bit_length() <= 64:
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if not isinstance(value, str):
        return describe(value)
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... (cut; {len(value)} characters)"


def describe(value: object) -> str:
    """Name the kind of a parsed YAML value in plain words, for error messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class Checker:
    """Field checks that all report through one QuestionnaireError for one source.

    A check raises at its first problem, but lists and mappings carry on past a bad entry
    and note it (`keep`), so `finish` can report every problem of a file at once.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.found: list[QuestionnaireError] = []

    def fail(self, path: str, message: str) -> QuestionnaireError:
        """Build the error for `path` (callers raise it, so control flow stays visible)."""
        return QuestionnaireError(self.source, path, message)

    def keep(self, error: QuestionnaireError) -> None:
        """Note a problem (or several) and carry on checking."""
        self.found.extend(error.problems)

    def noted(self) -> QuestionnaireError:
        """The error to raise to stop checking a part whose problems are already noted."""
        return _AlreadyNoted(self.source, "", "see the problems noted")

    def attempt(self, check: Callable[[], T], fallback: T) -> T:
        """Run one check; on a problem, note it and return `fallback` so checking goes on."""
        try:
            return check()
        except QuestionnaireError as error:
            self.keep(error)
            return fallback

    def finish(self) -> None:
        """Raise every problem noted so far: one as itself, several together."""
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            raise QuestionnaireProblems(self.found)

    def required(self, value: dict[str, object], name: str, path: str = "") -> object:
        """A required field of a checked mapping."""
        if name not in value:
            raise self.fail(f"{path}.{name}" if path else name, "required field is missing")
        return value[name]

    def fields(
        self,
        value: object,
        path: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> dict[str, object]:
        """Check a mapping has all required fields and no unknown ones."""
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping of fields, got {describe(value)}")
        allowed = required + optional
        for name in value:
            # An unknown field is noted, not fatal: the known ones are still worth checking.
            try:
                self._known(name, path, allowed)
            except QuestionnaireError as error:
                self.keep(error)
        missing = [
            self.fail(f"{path}.{name}" if path else name, "required field is missing")
            for name in required
            if name not in value
        ]
        if missing:
            self.found.extend(missing)
            raise self.noted()
        return value

    def _known(self, name: object, path: str, allowed: tuple[str, ...]) -> None:
        at = f"{path}.{name}" if path else str(name)
        if not isinstance(name, str):
            raise self.fail(at, "field names must be text")
        if name in _SCORING_FIELDS:
            raise self.fail(
                at,
                "scoring facts (bands, cut-offs, subscales, reverse keys) come from the "
                "scale template and cannot be set in a questionnaire",
            )
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.fail(
                at, f"unknown field{hint}; allowed fields: {', '.join(sorted(allowed))}"
            )

    def text(self, value: object, path: str, *, max_length: int = 1000, empty: bool = False) -> str:
        """Check a text field; surrounding whitespace is stripped."""
        if not isinstance(value, str):
            raise self.fail(path, f"expected text, got {describe(value)}")
        value = value.strip()
        if not value and not empty:
            raise self.fail(path, "must not be empty")
        if len(value) > max_length:
            raise self.fail(path, f"must be at most {max_length} characters")
        return value

    def pattern(self, value: object, path: str, regex: re.Pattern[str], explain: str) -> str:
        """Check a text field matches `regex` in full."""
        if not isinstance(value, str):
            # YAML reads bare `no`, `1` or `2024-01-01` as other types; quotes keep them text.
            hint = " (put it in quotes)" if value is not None else ""
            raise self.fail(path, f"expected text, got {describe(value)}{hint}")
        if not regex.fullmatch(value):
            raise self.fail(path, f"{cut(value)} is not valid: {explain}")
        return value

    def whole(self, value: object, path: str, low: int, high: int) -> int:
        """Check a whole number in [low, high] (true/false is not a number here)."""
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(path, f"expected a whole number from {low} to {high}, got {cut(value)}")
        return value

    def flag(self, value: object, path: str) -> bool:
        """Check a true/false field."""
        if not isinstance(value, bool):
            raise self.fail(path, f"expected true or false, got {describe(value)}")
        return value

    def items(
        self, value: object, path: str, check: Callable[[object, str], T], *, minimum: int = 1
    ) -> tuple[T, ...]:
        """Check a list with at least `minimum` entries, checking each entry."""
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, got {describe(value)}")
        if len(value) < minimum:
            raise self.fail(path, f"needs at least {minimum} entr{'y' if minimum == 1 else 'ies'}")
        checked: list[T] = []
        before = len(self.found)
        for i, entry in enumerate(value):
            # Every entry is checked, so a file's problems show together, not one per upload.
            try:
                checked.append(check(entry, f"{path}[{i}]"))
            except QuestionnaireError as error:
                self.keep(error)
        if len(self.found) > before:
            raise self.noted()
        return tuple(checked)
