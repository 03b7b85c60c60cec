from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis import formulas


def value(text, **inputs):
    return formulas.evaluate(formulas.parse(text), {k: Decimal(v) for k, v in inputs.items()})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", "7"),
        ("(1 + 2) * 3", "9"),
        ("10 - 4 - 3", "3"),
        ("24 / 4 / 2", "3"),
        ("-2 * 3", "-6"),
        ("- -2", "2"),
        ("2 * -3", "-6"),
        ("-(2 + 3) * 2", "-10"),
        ("1.5 * .5", "0.75"),
        ("7 − 2 × 3 ÷ 2", "4"),
    ],
)
def test_precedence_and_associativity(text, expected):
    assert value(text) == Decimal(expected)


def test_formula_reads_kpi_codes():
    assert value("100 * deals_won / deals_closed", deals_won=3, deals_closed=12) == Decimal(25)
    assert value("(revenue - cost) / revenue", revenue=200, cost=150) == Decimal("0.25")
    assert formulas.references(formulas.parse("(revenue - cost) / revenue")) == {"revenue", "cost"}


def test_division_by_zero_gives_no_value():
    assert value("100 * deals_won / deals_closed", deals_won=3, deals_closed=0) is None
    assert value("1 / (a - a)", a=5) is None


def test_missing_input_gives_no_value():
    assert formulas.evaluate(formulas.parse("a + b"), {"a": Decimal(1), "b": None}) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("1 +", "ends too early"),
        ("(a + b", "never closed"),
        ("a b", "operator is missing"),
        ("2 ^ 3", r"Unexpected character “\^” at position 3"),
        ("__import__('os')", "not a KPI code"),
        ("a + 'x'", "Unexpected character “'”"),
        ("Revenue", "not a KPI code"),
        ("1 + )", r"Unexpected “\)”"),
        ("(" * 60 + "1" + ")" * 60, "nests deeper"),
    ],
)
def test_syntax_errors_name_the_problem(text, message):
    with pytest.raises(formulas.FormulaError, match=message):
        formulas.parse(text)


def test_dependency_order_puts_inputs_first_and_names_cycles():
    order = formulas.dependency_order({"margin": {"profit", "revenue"}, "profit": {"revenue", "cost"}})
    assert order.index("profit") < order.index("margin")
    with pytest.raises(formulas.FormulaError, match="a → b → c → a"):
        formulas.dependency_order({"a": {"b"}, "b": {"c"}, "c": {"a"}})


# Property: the parser and evaluator agree with exact rational arithmetic on random expressions.
numbers = st.integers(min_value=-50, max_value=50)


def expressions(depth=3):
    leaf = numbers.map(lambda n: (str(n) if n >= 0 else f"({n})", Fraction(n)))
    if depth == 0:
        return leaf

    def combine(parts):
        (left_text, left), op, (right_text, right) = parts
        if op == "/" and right == 0:
            return (f"({left_text}) + ({right_text})", left + right)
        result = {"+": left + right, "-": left - right, "*": left * right, "/": left / right if right else 0}[
            op
        ]
        return (f"({left_text}) {op} ({right_text})", result)

    return st.one_of(
        leaf, st.tuples(expressions(depth - 1), st.sampled_from("+-*/"), expressions(depth - 1)).map(combine)
    )


@given(expressions())
def test_evaluation_matches_exact_arithmetic(expression):
    text, expected = expression
    result = formulas.evaluate(formulas.parse(text), {})
    assert result is not None
    assert abs(Fraction(result) - expected) <= Fraction(1, 10**20) * max(1, abs(expected))
