"""Skip logic <-> XLSForm ``relevant`` (XPath): the supported subset, in both directions.

Our expressions (``expr``) become XPath that ODK tools evaluate the same way; XPath from an XLSForm is
read back for this subset only, and anything else is refused with a message naming what is supported:

==================================  ==================================
skip logic                          XLSForm relevant
==================================  ==================================
``A == 1``, ``A != 'x'``            ``${A} = 1``, ``${A} != 'x'``
``A < 4`` (also <=, >, >=)          ``${A} < 4``
``A in (2, 3)``                     ``(${A} = 2 or ${A} = 3)``
``A not in (2, 3)``                 ``(${A} != 2 and ${A} != 3)``
``A contains 'x'``                  ``selected(${A}, 'x')``
``answered(A)``                     ``${A} != ''``
``not X``, ``X and Y``, ``X or Y``  ``not(X)``, ``X and Y``, ``X or Y``
==================================  ==================================

Also read: ``${A} = ''`` (not answered), ``string-length(${A}) > 0`` and ``count-selected(${A}) > 0``
(answered). On missing answers both sides agree: comparisons are false, ``!=`` is true.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from survey_service.questionnaire import expr

SUPPORTED = (
    "${CODE} = value, !=, <, <=, >, >=, selected(${CODE}, 'value'), ${CODE} != '' (answered), "
    "string-length(${CODE}) > 0, count-selected(${CODE}) > 0, and, or, not(...), parentheses"
)
_CANONICAL_INT = re.compile(r"^(0|-?[1-9][0-9]*)$")


class XPathError(ValueError):
    """An XLSForm expression outside the supported subset, or not well-formed."""


# -- skip logic -> text ------------------------------------------------------------------------------------


def _literal(value: expr.Literal) -> str:
    if isinstance(value, str):
        return f'"{value}"' if "'" in value else f"'{value}'"
    return str(value)


def show_if_text(node: expr.Node) -> str:
    """Our skip-logic syntax for an AST (used for expressions read from XLSForm)."""

    def inner(n: expr.Node, parent: str | None) -> str:
        match n:
            case expr.Compare(code=c, op=op, value=v):
                return f"{c} {op} {_literal(v)}"
            case expr.In(code=c, values=vs, negated=neg):
                return f"{c} {'not in' if neg else 'in'} ({', '.join(_literal(v) for v in vs)})"
            case expr.Contains(code=c, value=v):
                return f"{c} contains {_literal(v)}"
            case expr.Answered(code=c):
                return f"answered({c})"
            case expr.Not(operand=o):
                text = inner(o, "not")
                return f"not ({text})" if isinstance(o, expr.BoolOp) else f"not {text}"
            case expr.BoolOp(op=op, operands=ops):
                text = f" {op} ".join(inner(o, op) for o in ops)
                return f"({text})" if parent is not None and parent != op else text
        raise TypeError(n)

    return inner(node, None)


# -- skip logic -> XPath -----------------------------------------------------------------------------------


def to_relevant(show_if: str) -> str:
    """The XLSForm ``relevant`` of a (valid) skip-logic expression."""

    def ref(code: str) -> str:
        return "${" + code + "}"

    def inner(n: expr.Node, parent: str | None) -> str:
        match n:
            case expr.Compare(code=c, op=op, value=v):
                return f"{ref(c)} {'=' if op == '==' else op} {_literal(v)}"
            case expr.In(code=c, values=vs, negated=neg):
                op, joiner = ("!=", " and ") if neg else ("=", " or ")
                parts = [f"{ref(c)} {op} {_literal(v)}" for v in vs]
                return parts[0] if len(parts) == 1 else "(" + joiner.join(parts) + ")"
            case expr.Contains(code=c, value=v):
                return f"selected({ref(c)}, {_literal(str(v))})"
            case expr.Answered(code=c):
                return f"{ref(c)} != ''"
            case expr.Not(operand=o):
                return f"not({inner(o, None)})"
            case expr.BoolOp(op=op, operands=ops):
                text = f" {op} ".join(inner(o, op) for o in ops)
                return f"({text})" if parent is not None and parent != op else text
        raise TypeError(n)

    return inner(expr.parse(show_if), None)


# -- XPath -> skip logic -----------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{[A-Za-z_][A-Za-z0-9_.-]*\})
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<op>!=|<=|>=|=|<|>|\(|\)|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_.:-]*)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str


def _tokens(source: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while source[pos:].strip():
        m = _TOKEN.match(source, pos)
        if m is None or m.end() == pos:
            rest = source[pos:].strip()
            raise XPathError(f"cannot read the expression at {rest[:20]!r}")
        kind = m.lastgroup or ""
        out.append(_Tok(kind, m.group(kind)))
        pos = m.end()
    out.append(_Tok("end", ""))
    return out


def _value(tok: _Tok) -> expr.Literal:
    if tok.kind == "number":
        return float(tok.text) if "." in tok.text else int(tok.text)
    text = tok.text[1:-1]
    return int(text) if _CANONICAL_INT.match(text) else text


class _Reader:
    def __init__(self, source: str) -> None:
        self.toks = _tokens(source)
        self.i = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self, kind: str, text: str | None = None) -> _Tok:
        t = self.tok
        if t.kind != kind or (text is not None and t.text != text):
            found = repr(t.text) if t.kind != "end" else "the end"
            raise XPathError(f"expected {text or kind!r}, found {found}")
        self.i += 1
        return t

    def at(self, kind: str, text: str | None = None) -> bool:
        return self.tok.kind == kind and (text is None or self.tok.text == text)

    def read(self) -> expr.Node:
        node = self.or_expr()
        self.take("end")
        return node

    def or_expr(self) -> expr.Node:
        parts = [self.and_expr()]
        while self.at("name", "or"):
            self.i += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else expr.BoolOp("or", tuple(parts))

    def and_expr(self) -> expr.Node:
        parts = [self.unary()]
        while self.at("name", "and"):
            self.i += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else expr.BoolOp("and", tuple(parts))

    def unary(self) -> expr.Node:
        if self.at("name", "not"):
            self.i += 1
            self.take("op", "(")
            node = self.or_expr()
            self.take("op", ")")
            return expr.Not(node)
        if self.at("op", "("):
            self.i += 1
            node = self.or_expr()
            self.take("op", ")")
            return node
        if self.at("name", "selected"):
            self.i += 1
            self.take("op", "(")
            code = self.ref()
            self.take("op", ",")
            lit = self.literal()
            self.take("op", ")")
            return expr.Contains(code, lit)
        if self.at("name", "string-length") or self.at("name", "count-selected"):
            fn = self.tok.text
            self.i += 1
            self.take("op", "(")
            code = self.ref()
            self.take("op", ")")
            op = self.take("op").text
            number = self.take("number").text
            if (op, number) in {(">", "0"), ("!=", "0"), (">=", "1")}:
                return expr.Answered(code)
            if (op, number) in {("=", "0"), ("<", "1"), ("<=", "0")}:
                return expr.Not(expr.Answered(code))
            raise XPathError(f"{fn}() is supported only to test whether a question is answered (> 0 or = 0)")
        if self.tok.kind == "ref":
            code = self.ref()
            op = self.take("op").text
            if op not in {"=", "!=", "<", "<=", ">", ">="}:
                raise XPathError(f"expected a comparison after ${{{code}}}, found {op!r}")
            if self.at("string") and self.tok.text in {"''", '""'}:
                self.i += 1
                if op == "!=":
                    return expr.Answered(code)
                if op == "=":
                    return expr.Not(expr.Answered(code))
                raise XPathError("only = '' and != '' can compare with an empty string")
            return expr.Compare(code, "==" if op == "=" else op, self.literal())
        found = repr(self.tok.text) if self.tok.kind != "end" else "the end"
        raise XPathError(f"unsupported expression part {found}")

    def ref(self) -> str:
        text = self.take("ref").text
        return text[2:-1]

    def literal(self) -> expr.Literal:
        if self.tok.kind in {"number", "string"}:
            return _value(self.take(self.tok.kind))
        found = repr(self.tok.text) if self.tok.kind != "end" else "the end"
        raise XPathError(f"expected a number or a quoted value, found {found}")


def from_relevant(relevant: str) -> str:
    """Our skip-logic text for an XLSForm ``relevant`` in the supported subset; ``XPathError`` otherwise."""
    try:
        node = _Reader(relevant).read()
    except XPathError as exc:
        raise XPathError(f"{exc}; supported: {SUPPORTED}") from None
    text = show_if_text(node)
    expr.parse(text)  # what we produce must be our own language
    return text
