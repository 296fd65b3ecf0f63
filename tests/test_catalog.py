"""The Python catalog API (``constructs_jumpstart.catalog``): the SDK's filter semantics, nested
And/Or and the expression language, on the shipped catalog and a local directory."""

from __future__ import annotations

import copy
import json

import pytest

from constructs_jumpstart import catalog
from constructs_jumpstart.catalog import And, FilterError, Or, list_models, parse

EXPRESSIONS = ["task == ic", "framework != fixture", "task in ['ic', 'llm']", "task not in ['llm']",
               "training_supported == true", "gated == false", "model_id == pytorch-ic-mobilenet-v2",
               "deprecated == true", "provider == fixture"]


def _rows():
    return [r.as_dict() for r in catalog.select(catalog.reader("us-west-2", "shipped"), None, include_deprecated=True)]


def _sdk(expression, row) -> bool:
    """What the SDK's own filter classes decide for ``row`` (as its list_jumpstart_models does)."""
    from sagemaker.core.jumpstart.filters import And as SdkAnd
    from sagemaker.core.jumpstart.filters import BooleanValues, Identity, ModelFilter, Or as SdkOr
    from sagemaker.core.jumpstart.filters import evaluate_filter_expression

    def build(node):
        if isinstance(node, str):
            return Identity(node)
        kind = SdkAnd if isinstance(node, And) else SdkOr
        return kind(*[o if isinstance(o, str) else build(o) for o in node.sdk_operands])

    tree = copy.deepcopy(build(expression))
    for operand in tree:
        if isinstance(operand.unresolved_value, ModelFilter):
            model_filter = operand.unresolved_value
            operand.resolved_value = evaluate_filter_expression(model_filter, row.get(model_filter.key))
    tree.eval()
    return tree.resolved_value == BooleanValues.TRUE


class _Tree:
    """An And/Or of SDK filter strings, for both sides."""

    def __init__(self, kind, *operands):
        self.kind, self.sdk_operands = kind, operands

    def ours(self):
        return self.kind(*[o if isinstance(o, str) else o.ours() for o in self.sdk_operands])


class SAnd(_Tree, And):
    def __init__(self, *operands):
        _Tree.__init__(self, And, *operands)


class SOr(_Tree, Or):
    def __init__(self, *operands):
        _Tree.__init__(self, Or, *operands)


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_conditions_match_the_sdks_model_filter(expression):
    for row in _rows():
        assert parse(expression).matches(row) is _sdk(expression, row), (expression, row["model_id"])


@pytest.mark.parametrize("tree", [
    SAnd("task == ic", "framework == pytorch"),
    SOr("framework == pytorch", SAnd("gated == true", "task == llm")),
    SAnd(SOr("task == ic", "task == llm"), SOr("training_supported == true", SAnd("deprecated == true", "task != llm"))),
])
def test_nested_and_or_match_the_sdks(tree):
    ours = tree.ours()
    for row in _rows():
        assert ours.matches(row) is _sdk(tree, row), (tree.sdk_operands, row["model_id"])


def test_list_models_like_the_sdk():
    assert list_models(filter=And("task == ic", "framework == pytorch"), source="shipped") == ["pytorch-ic-mobilenet-v2"]
    assert list_models(filter="(task == ic or task == llm) and training_supported == true", source="shipped") == [
        "fixture-llm-families", "fixture-llm-finetune", "pytorch-ic-mobilenet-v2"]
    assert list_models(filter=["task == ic", "framework == pytorch"], source="shipped", list_versions=True) == [
        ("pytorch-ic-mobilenet-v2", "3.0.25")]
    assert "fixture-ic-deprecated" not in list_models(source="shipped")
    assert "fixture-ic-deprecated" in list_models(source="shipped", include_deprecated=True)


def test_filters_match_what_the_table_shows():
    assert list_models(filter="gated == yes", source="shipped") == list_models(filter="gated == true", source="shipped") != []
    assert list_models(filter="training_supported == no", source="shipped") == list_models(
        filter="training_supported == false", source="shipped") != []


def test_describe_and_hyperparameters_are_plain_data(tmp_path):
    data = catalog.describe("pytorch-ic-mobilenet-v2", source="shipped")
    assert data["version"] == "3.0.25" and data["default_content_type"] == "application/x-image"
    assert json.loads(json.dumps(data)) == data
    names = [h["name"] for h in catalog.hyperparameters("pytorch-ic-mobilenet-v2", source="shipped")]
    assert "epochs" in names and "sagemaker_program" not in names


@pytest.mark.parametrize("expression, message", [
    ("task = ic", r"at position 5: expected one of ==, !=, in, not in"),
    ("(task == ic", r"'\(' is never closed"),
    ("task == ic and", r"expected a condition"),
    ("colour == red", r"unknown field 'colour'"),
    ("task == ic) ", r"unexpected '\)'"),
])
def test_bad_expressions_name_the_position(expression, message):
    with pytest.raises(FilterError, match=message):
        parse(expression)
