"""Formula KPIs: a small arithmetic language over KPI codes, parsed and evaluated without eval().

Grammar (usual precedence, left-associative)::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := "-" unary | "+" unary | primary
    primary    := NUMBER | CODE | "(" expression ")"

NUMBER is digits with an optional decimal point (`12`, `0.5`, `.5`); CODE is a KPI code
(`deals_won`). The typographic signs − × ÷ are accepted for - * /. Evaluation uses Decimal;
a missing input or a division by zero gives no value (None) for that period rather than an error.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext

MAX_LENGTH = 500
MAX_DEPTH = 50

TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?|\.\d+)|(?P<code>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/()−×÷]))"
)
ALIASES = {"−": "-", "×": "*", "÷": "/"}


class FormulaError(ValueError):
    """The formula cannot be used; the message names the problem and where it is."""


@dataclass(frozen=True)
class Number:
    value: Decimal


@dataclass(frozen=True)
class Ref:
    code: str


@dataclass(frozen=True)
class Neg:
    operand: object


@dataclass(frozen=True)
class BinOp:
    op: str
    left: object
    right: object


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens, position = [], 0
    stripped_end = len(text.rstrip())
    while position < stripped_end:
        match = TOKEN.match(text, position)
        if match is None:
            rest = text[position:]
            offset = position + len(rest) - len(rest.lstrip())
            raise FormulaError(f"Unexpected character “{text[offset]}” at position {offset + 1}.")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "code" and not re.fullmatch(r"[a-z][a-z0-9_]*", value):
            raise FormulaError(f"“{value}” is not a KPI code: codes are lower-case, like deals_won.")
        tokens.append((kind, ALIASES.get(value, value), match.start(kind) + 1))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0

    def peek(self):
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self):
        token = self.peek()
        self.index += 1
        return token

    def parse(self):
        if not self.tokens:
            raise FormulaError("The formula is empty.")
        node = self.expression()
        token = self.peek()
        if token is not None:
            raise FormulaError(f"Unexpected “{token[1]}” at position {token[2]}: an operator is missing.")
        return node

    def expression(self):
        node = self.term()
        while (token := self.peek()) and token[1] in "+-" and token[0] == "op":
            self.take()
            node = BinOp(token[1], node, self.term())
        return node

    def term(self):
        node = self.unary()
        while (token := self.peek()) and token[1] in "*/" and token[0] == "op":
            self.take()
            node = BinOp(token[1], node, self.unary())
        return node

    def unary(self):
        token = self.peek()
        if token and token[0] == "op" and token[1] in "+-":
            self.take()
            self._enter()
            operand = self.unary()
            self.depth -= 1
            return Neg(operand) if token[1] == "-" else operand
        return self.primary()

    def primary(self):
        token = self.take()
        if token is None:
            raise FormulaError("The formula ends too early: a number, a KPI code or “(” is missing.")
        kind, value, position = token
        if kind == "number":
            return Number(Decimal(value))
        if kind == "code":
            return Ref(value)
        if value == "(":
            self._enter()
            node = self.expression()
            self.depth -= 1
            closing = self.take()
            if closing is None or closing[1] != ")":
                raise FormulaError(f"The “(” at position {position} is never closed.")
            return node
        raise FormulaError(f"Unexpected “{value}” at position {position}.")

    def _enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"The formula nests deeper than {MAX_DEPTH} levels.")


def parse(text: str):
    """Parse a formula into a tree of Number, Ref, Neg and BinOp nodes, or raise FormulaError."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"The formula is longer than {MAX_LENGTH} characters.")
    return _Parser(text).parse()


def references(node) -> set[str]:
    """The KPI codes a formula reads."""
    if isinstance(node, Ref):
        return {node.code}
    if isinstance(node, Neg):
        return references(node.operand)
    if isinstance(node, BinOp):
        return references(node.left) | references(node.right)
    return set()


def evaluate(node, values: Mapping[str, Decimal | None]) -> Decimal | None:
    """The formula's value, or None when an input has no value or a division by zero happens."""
    with localcontext() as context:
        context.prec = 34
        context.traps[DivisionByZero] = True
        context.traps[InvalidOperation] = True
        try:
            return _evaluate(node, values)
        except (DivisionByZero, InvalidOperation, _Missing):
            return None


class _Missing(Exception):
    pass


def _evaluate(node, values):
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Ref):
        value = values.get(node.code)
        if value is None:
            raise _Missing
        return Decimal(value)
    if isinstance(node, Neg):
        return -_evaluate(node.operand, values)
    left, right = _evaluate(node.left, values), _evaluate(node.right, values)
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if right == 0:
        raise DivisionByZero
    return left / right


def dependency_order(dependencies: Mapping[str, Iterable[str]]) -> list[str]:
    """Formula codes ordered so that every formula comes after the formulas it reads.

    `dependencies` maps each formula KPI's code to the codes it reads (measured KPIs may appear
    as dependencies without being keys). A cycle raises FormulaError naming the KPIs in it.
    """
    order, state = [], {}

    def visit(code, path):
        if state.get(code) == "done":
            return
        if state.get(code) == "visiting":
            loop = path[path.index(code) :] + [code]
            raise FormulaError("These formulas depend on each other in a cycle: " + " → ".join(loop) + ".")
        state[code] = "visiting"
        for dependency in sorted(dependencies.get(code, ())):
            if dependency in dependencies:
                visit(dependency, [*path, code])
        state[code] = "done"
        order.append(code)

    for code in sorted(dependencies):
        visit(code, [])
    return order


MAX_SPLIT_INPUTS = 8


def contributions(
    node, before: Mapping[str, Decimal | None], after: Mapping[str, Decimal | None]
) -> dict[str, Decimal] | None:
    """Split a formula's change from the `before` inputs to the `after` inputs between its inputs.

    Each input's share is its Shapley value: the change it makes when it moves from before to after,
    averaged over every order in which the inputs could move. The shares add up to the whole change.
    None when an input is missing, the formula cannot be evaluated at some mix of the two (a division
    by zero), or it has more than MAX_SPLIT_INPUTS inputs.
    """
    codes = sorted(references(node))
    if not codes or len(codes) > MAX_SPLIT_INPUTS:
        return None
    if any(before.get(code) is None or after.get(code) is None for code in codes):
        return None
    count = len(codes)
    cache: dict[int, Decimal | None] = {}

    def value(mask: int) -> Decimal | None:
        if mask not in cache:
            inputs = {code: (after if mask >> i & 1 else before)[code] for i, code in enumerate(codes)}
            cache[mask] = evaluate(node, inputs)
        return cache[mask]

    factorial = [1] * (count + 1)
    for n in range(1, count + 1):
        factorial[n] = factorial[n - 1] * n
    shares = {}
    for i, code in enumerate(codes):
        total = Decimal(0)
        for mask in range(1 << count):
            if mask >> i & 1:
                continue
            with_input, without = value(mask | 1 << i), value(mask)
            if with_input is None or without is None:
                return None
            size = bin(mask).count("1")
            weight = Decimal(factorial[size] * factorial[count - size - 1]) / Decimal(factorial[count])
            total += weight * (with_input - without)
        shares[code] = total
    return shares
