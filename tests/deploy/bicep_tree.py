"""Read Bicep files with tree-sitter-bicep, so tests can assert on declarations, not on text.

No Bicep compiler runs here (it cannot be installed on these machines), so the tests check what
a syntax tree can show: the file parses, and literal values sit where they must. `value()` turns
literal objects, arrays, strings, numbers and booleans into Python values, function calls and
`?:` into `Call` and `Conditional`, and leaves any other expression as an `Expression` holding
its source text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tree_sitter
import tree_sitter_bicep

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"


@dataclass(frozen=True)
class Expression:
    """A non-literal Bicep expression, kept as source text."""

    text: str


@dataclass(frozen=True)
class Call:
    """A function call such as `union({...}, other)`, with its arguments as values."""

    function: str
    arguments: list[object]


@dataclass(frozen=True)
class Conditional:
    """`condition ? when_true : when_false`, both branches as values."""

    condition: str
    when_true: object
    when_false: object


@dataclass(frozen=True)
class Declaration:
    """A `resource`, `module`, `param`, `var` or `output` declaration."""

    kind: str
    name: str
    target: str  # resource type@version, module path, or declared type
    body: object  # value() of the declaration's object or default, else None
    condition: str | None  # the `if (...)` text of a conditional resource or module
    decorators: tuple[str, ...]


@cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bicep.language()))


def bicep_files() -> list[Path]:
    return sorted(INFRA.rglob("*.bicep"))


def parse(path: Path) -> tree_sitter.Tree:
    return _parser().parse(path.read_bytes())


def syntax_errors(tree: tree_sitter.Tree) -> list[str]:
    """Every ERROR and MISSING node, as `line:column text`."""
    found: list[str] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            row, column = node.start_point
            kind = "missing" if node.is_missing else "error"
            found.append(f"{row + 1}:{column + 1} {kind} {_text(node)[:60]!r}")
        stack.extend(node.children)
    return found


def declarations(path: Path) -> list[Declaration]:
    """Top-level declarations in file order, with the decorators that precede each."""
    result: list[Declaration] = []
    pending: list[str] = []
    for node in parse(path).root_node.named_children:
        if node.type == "decorators":
            pending = [_text(d) for d in node.named_children]
            continue
        kind = node.type.removesuffix("_declaration")
        if kind in ("resource", "module", "parameter", "variable", "output"):
            result.append(_declaration(node, kind, tuple(pending)))
        pending = []
    return result


def _declaration(node: tree_sitter.Node, kind: str, decorators: tuple[str, ...]) -> Declaration:
    children = [c for c in node.named_children if c.type != "comment"]
    name = _text(children[0])
    if kind == "variable":  # var name = value: no type or target
        target, body_node = "", children[1]
    else:
        target = str(value(children[1])) if children[1].type == "string" else _text(children[1])
        body_node = children[-1] if len(children) > 2 else None
    condition = None
    if body_node is not None and body_node.type == "if_statement":
        condition = _text(body_node.named_children[0])
        body_node = body_node.named_children[-1]
    if body_node is not None and body_node.type == "for_statement":
        body_node = body_node.named_children[-1]
    body = value(body_node) if body_node is not None else None
    return Declaration(kind, name, target, body, condition, decorators)


def find(path: Path, kind: str, target_prefix: str = "") -> list[Declaration]:
    return [d for d in declarations(path) if d.kind == kind and d.target.startswith(target_prefix)]


def value(node: tree_sitter.Node) -> object:
    """A literal as a Python value; anything computed as an Expression."""
    if node.type == "object":
        result: dict[str, object] = {}
        for prop in node.named_children:
            if prop.type == "object_property":
                key = prop.named_children[0]
                result[str(value(key)) if key.type == "string" else _text(key)] = value(
                    prop.named_children[-1]
                )
        return result
    if node.type == "array":
        return [value(item) for item in node.named_children if item.type != "comment"]
    if node.type == "string" and all(
        c.type in ("string_content", "escape_sequence") for c in node.named_children
    ):
        return "".join(_unescape(c) for c in node.named_children)
    if node.type == "boolean":
        return _text(node) == "true"
    if node.type == "number":
        return int(_text(node))
    if node.type == "null":
        return None
    if node.type == "call_expression" and node.named_children[0].type == "identifier":
        arguments = node.named_children[1].named_children
        return Call(_text(node.named_children[0]), [value(a) for a in arguments if a.type != "comment"])
    if node.type == "ternary_expression":
        condition, when_true, when_false = node.named_children
        return Conditional(_text(condition), value(when_true), value(when_false))
    return Expression(_text(node))


def _unescape(node: tree_sitter.Node) -> str:
    text = _text(node)
    return text[1:] if node.type == "escape_sequence" else text


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode()
