"""Skip logic: a small, safe expression language over earlier answers, parsed into an AST (never eval).

Grammar::

    expr       := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := "(" expr ")"
                | CODE ("==" | "!=" | "<" | "<=" | ">" | ">=") literal
                | CODE ["not"] "in" "(" literal ("," literal)* ")"
                | CODE "contains" literal
                | "answered" "(" CODE ")"
    literal    := INTEGER | DECIMAL | 'text' | "text"

Semantics: on a missing answer ``==``, ``<``, ``<=``, ``>``, ``>=``, ``in`` and ``contains`` are false, and
their negations ``!=`` and ``not in`` are true (as in XLSForm, an unanswered filter question does not hide
its follow-up); ``answered(X)`` tests presence; ``contains`` asks whether a multiple-choice answer
includes a code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_LENGTH = 2000
MAX_DEPTH = 50


class ExpressionError(ValueError):
    """A skip-logic expression that cannot be parsed; ``position`` is a 0-based character offset."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.position = position


Literal = int | float | str


@dataclass(frozen=True, slots=True)
class Compare:
    code: str
    op: str
    value: Literal


@dataclass(frozen=True, slots=True)
class In:
    code: str
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class Contains:
    code: str
    value: Literal


@dataclass(frozen=True, slots=True)
class Answered:
    code: str


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Node, ...]


Node = Compare | In | Contains | Answered | Not | BoolOp

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>-?\d+(?:\.\d+)?)
      | (?P<string>'[^'\n]*'|"[^"\n]*")
      | (?P<op>==|!=|<=|>=|<|>|\(|\)|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "contains", "answered"}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number | string | op | name | keyword | end
    text: str
    pos: int


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        m = _TOKEN.match(source, pos)
        if m is None or m.end() == pos:
            start = pos + (len(source[pos:]) - len(source[pos:].lstrip()))
            hint = " (use == to compare)" if source[start] == "=" else ""
            raise ExpressionError(f"unexpected character {source[start]!r}{hint}", start)
        kind = m.lastgroup or ""
        text = m.group(kind)
        start = m.start(kind)
        if kind == "name" and text in _KEYWORDS:
            kind = "keyword"
        tokens.append(_Token(kind, text, start))
        pos = m.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def take(self, kind: str, text: str | None = None) -> _Token:
        t = self.tok
        if t.kind != kind or (text is not None and t.text != text):
            wanted = repr(text) if text else {"name": "a question code", "end": "end of expression"}.get(kind, kind)
            found = repr(t.text) if t.kind != "end" else "end of expression"
            raise ExpressionError(f"expected {wanted}, found {found}", t.pos)
        self.i += 1
        return t

    def at(self, kind: str, text: str | None = None) -> bool:
        return self.tok.kind == kind and (text is None or self.tok.text == text)

    def parse(self) -> Node:
        node = self.or_expr()
        self.take("end")
        return node

    def _nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested deeper than {MAX_DEPTH} levels", self.tok.pos)

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.at("keyword", "or"):
            self.i += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while self.at("keyword", "and"):
            self.i += 1
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def not_expr(self) -> Node:
        if self.at("keyword", "not"):
            self.i += 1
            self._nest()
            node = Not(self.not_expr())
            self.depth -= 1
            return node
        return self.comparison()

    def literal(self) -> Literal:
        t = self.tok
        if t.kind == "number":
            self.i += 1
            return float(t.text) if "." in t.text else int(t.text)
        if t.kind == "string":
            self.i += 1
            return t.text[1:-1]
        found = repr(t.text) if t.kind != "end" else "end of expression"
        raise ExpressionError(f"expected a number or a quoted code, found {found}", t.pos)

    def comparison(self) -> Node:
        if self.at("op", "("):
            self.i += 1
            self._nest()
            node = self.or_expr()
            self.depth -= 1
            self.take("op", ")")
            return node
        if self.at("keyword", "answered"):
            self.i += 1
            self.take("op", "(")
            code = self.take("name").text
            self.take("op", ")")
            return Answered(code)
        code = self.take("name").text
        t = self.tok
        if t.kind == "op" and t.text in {"==", "!=", "<", "<=", ">", ">="}:
            self.i += 1
            return Compare(code, t.text, self.literal())
        if self.at("keyword", "contains"):
            self.i += 1
            return Contains(code, self.literal())
        negated = False
        if self.at("keyword", "not"):
            self.i += 1
            negated = True
            if not self.at("keyword", "in"):
                raise ExpressionError("expected 'in' after 'not'", self.tok.pos)
        if self.at("keyword", "in"):
            self.i += 1
            self.take("op", "(")
            values = [self.literal()]
            while self.at("op", ","):
                self.i += 1
                values.append(self.literal())
            self.take("op", ")")
            return In(code, tuple(values), negated)
        found = repr(t.text) if t.kind != "end" else "end of expression"
        raise ExpressionError(
            f"expected a comparison (==, !=, <, <=, >, >=, in, contains) after {code!r}, found {found}", t.pos
        )


def parse(source: str) -> Node:
    """Parse a skip-logic expression into its AST; raises ``ExpressionError`` with the position."""
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if not source.strip():
        raise ExpressionError("empty expression", 0)
    return _Parser(source).parse()


def references(node: Node) -> set[str]:
    """Question codes an expression reads."""
    match node:
        case Compare(code=c) | In(code=c) | Contains(code=c) | Answered(code=c):
            return {c}
        case Not(operand=o):
            return references(o)
        case BoolOp(operands=ops):
            return set().union(*(references(o) for o in ops))
    raise TypeError(node)


def _same(a: Any, b: Literal) -> bool:
    if isinstance(a, bool):
        return False
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return str(a) == str(b)


def _order(a: Any, op: str, b: Literal) -> bool:
    if isinstance(a, bool) or not isinstance(a, int | float) or not isinstance(b, int | float):
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def evaluate(node: Node, answers: Mapping[str, Any]) -> bool:
    """Evaluate against answers (code -> value; a list for multiple choice); see the module doc for missing."""
    match node:
        case Answered(code=c):
            v = answers.get(c)
            return v is not None and v != [] and v != ""
        case Compare(code=c, op=op, value=lit):
            v = answers.get(c)
            if v is None or isinstance(v, list):
                return op == "!="
            if op == "==":
                return _same(v, lit)
            if op == "!=":
                return not _same(v, lit)
            return _order(v, op, lit)
        case In(code=c, values=vals, negated=neg):
            v = answers.get(c)
            if v is None or isinstance(v, list):
                return neg
            found = any(_same(v, lit) for lit in vals)
            return not found if neg else found
        case Contains(code=c, value=lit):
            v = answers.get(c)
            return isinstance(v, list) and any(_same(x, lit) for x in v)
        case Not(operand=o):
            return not evaluate(o, answers)
        case BoolOp(op="and", operands=ops):
            return all(evaluate(o, answers) for o in ops)
        case BoolOp(operands=ops):
            return any(evaluate(o, answers) for o in ops)
    raise TypeError(node)
