"""Choosing (config, instance type) by objective from a spec's benchmark figures (constructs_jumpstart/_objective.py).
Every rule of the module's docstring / the README section has a test here."""

from __future__ import annotations

import pytest

from constructs_jumpstart._objective import Choice, ObjectiveError, choose, choose_from_spec, options


def _stat(name, value, unit, concurrency):
    return {"name": name, "value": str(value), "unit": unit, "concurrency": concurrency}


def _figures(latency_ms, throughput, concurrency):
    return [_stat("Latency", latency_ms, "ms", concurrency), _stat("Throughput", throughput, "Tokens/S", concurrency)]


# Real-shaped: like the SDK's unit-test specs (tests/unit/sagemaker/jumpstart/constants.py), latency in ms
SPEC = {
    "inference_configs": {
        "lmi": {
            "component_names": ["lmi"],
            "benchmark_metrics": {
                "ml.g5.12xlarge": _figures(300, 40, 1) + _figures(500, 30, 4),
                "ml.p4d.24xlarge": _figures(120, 90, 1) + _figures(200, 70, 8),
            },
        },
        "lmi-optimized": {
            "component_names": ["lmi-optimized"],
            "benchmark_metrics": {
                "ml.g5.12xlarge": _figures(250, 45, 1) + _figures(400, 35, 4),
                # measured, but not supported by the config: excluded
                "ml.g5.48xlarge": _figures(10, 500, 1),
                # the SDK adds ml. to a bare key
                "p5.48xlarge": _figures(80, 150, 1) + [_stat("Instance Rate", 98.32, "USD/Hrs", None)],
            },
        },
        "tgi": {"component_names": ["tgi"]},  # no figures at all
    },
    "inference_config_components": {
        "lmi": {"supported_inference_instance_types": ["ml.g5.12xlarge", "ml.p4d.24xlarge"]},
        "lmi-optimized": {"supported_inference_instance_types": ["ml.g5.12xlarge", "ml.p5.48xlarge"]},
        "tgi": {},
    },
    "inference_config_rankings": {"overall": {"description": "", "rankings": ["lmi-optimized", "lmi", "tgi"]}},
}


def test_options_read_as_the_sdk_groups_them():
    opts = options(SPEC)
    assert [(o.config_name, o.instance_type, o.concurrency) for o in opts] == [
        ("lmi-optimized", "ml.g5.12xlarge", 1), ("lmi-optimized", "ml.g5.12xlarge", 4),
        ("lmi-optimized", "ml.p5.48xlarge", 1),
        ("lmi", "ml.g5.12xlarge", 1), ("lmi", "ml.g5.12xlarge", 4),
        ("lmi", "ml.p4d.24xlarge", 1), ("lmi", "ml.p4d.24xlarge", 8),
    ]
    p5 = opts[2]
    assert p5.latency_s == pytest.approx(0.08) and p5.latency == (80.0, "ms") and p5.throughput == 150.0


def test_latency_picks_the_lowest_and_says_why():
    choice = choose_from_spec(SPEC, "latency", 1)
    assert (choice.config_name, choice.instance_type) == ("lmi-optimized", "ml.p5.48xlarge")
    assert choice.why == "lmi-optimized on ml.p5.48xlarge: 0.08 s at concurrency 1"


def test_throughput_picks_the_highest():
    choice = choose_from_spec(SPEC, "throughput", 1)
    assert (choice.config_name, choice.instance_type, choice.throughput) == ("lmi-optimized", "ml.p5.48xlarge", 150.0)


def test_seconds_and_milliseconds_compare():
    spec = {"inference_configs": {
        "a": {"benchmark_metrics": {"ml.g5.2xlarge": [_stat("Latency", 0.5, "s", 1)]}},
        "b": {"benchmark_metrics": {"ml.g5.4xlarge": [_stat("Latency", 400, "ms", 1)]}},
    }}
    assert choose_from_spec(spec, "latency").instance_type == "ml.g5.4xlarge"


def test_concurrency_exact_else_nearest_above_never_below():
    # at 4: p4d has 1 and 8 -> 8 (above), g5 has 4 exactly
    choice = choose_from_spec(SPEC, "latency", 4)
    assert (choice.config_name, choice.instance_type, choice.measured_concurrency) == ("lmi", "ml.p4d.24xlarge", 8)
    assert choice.why == "lmi on ml.p4d.24xlarge: 0.2 s at concurrency 8 (nearest measured at or above 4)"
    # at 2 on g5 only: the figures at 4, not at 1
    choice = choose_from_spec(SPEC, "latency", 2, ["ml.g5.12xlarge"])
    assert (choice.config_name, choice.measured_concurrency, choice.latency_s) == ("lmi-optimized", 4, pytest.approx(0.4))


def test_nothing_measured_at_or_above_is_a_clear_error():
    with pytest.raises(ObjectiveError) as err:
        choose_from_spec(SPEC, "latency", 16)
    message = str(err.value)
    assert 'optimize_for="latency" at concurrency=16' in message and "measured concurrencies: 1, 4, 8" in message


def test_allowed_set_filters_and_the_error_names_it():
    choice = choose_from_spec(SPEC, "latency", 1, ["ml.g5.12xlarge", "p4d.24xlarge"])
    assert (choice.config_name, choice.instance_type) == ("lmi", "ml.p4d.24xlarge")
    with pytest.raises(ObjectiveError) as err:
        choose_from_spec(SPEC, "latency", 1, ["ml.g5.48xlarge"])  # measured but unsupported by its config
    assert "allowed instance types (ml.g5.48xlarge)" in str(err.value)
    assert "Measured instance types: ml.g5.12xlarge, ml.p4d.24xlarge, ml.p5.48xlarge" in str(err.value)


def test_unsupported_instance_type_of_a_config_is_excluded():
    assert not [o for o in options(SPEC) if o.instance_type == "ml.g5.48xlarge"]


def test_missing_figures_are_excluded():
    spec = {"inference_configs": {
        "a": {"benchmark_metrics": {"ml.g5.2xlarge": [_stat("Throughput", 10, "Tokens/S", 1)]}},  # no latency
        "b": {"benchmark_metrics": {"ml.g5.4xlarge": _figures(900, 5, 1)}},
    }}
    assert choose_from_spec(spec, "latency").config_name == "b"
    assert choose_from_spec(spec, "throughput").config_name == "a"


def test_ties_go_to_the_ranking_then_the_instance_type_order():
    spec = {
        "inference_configs": {
            "a": {"benchmark_metrics": {"ml.g5.2xlarge": _figures(100, 10, 1), "ml.g5.4xlarge": _figures(100, 10, 1)}},
            "b": {"benchmark_metrics": {"ml.g5.2xlarge": _figures(100, 10, 1)}},
        },
        "inference_config_rankings": {"overall": {"rankings": ["b", "a"]}},
    }
    assert choose_from_spec(spec, "latency").config_name == "b"
    del spec["inference_config_rankings"]
    assert (choose_from_spec(spec, "latency").config_name, choose_from_spec(spec, "latency").instance_type) == \
        ("a", "ml.g5.2xlarge")
    assert choose_from_spec(spec, "latency", 1, ["ml.g5.4xlarge", "ml.g5.2xlarge"]).instance_type == "ml.g5.4xlarge"


def test_cost_without_prices_says_how_to_record_them():
    with pytest.raises(ObjectiveError, match=r"jumpstart lock --prices"):
        choose_from_spec(SPEC, "cost", 1)


def test_cost_uses_recorded_prices_only():
    prices = {"ml.g5.12xlarge": 7.09, "ml.p4d.24xlarge": 37.688}  # no p5 price: p5 is not guessed
    choice = choose_from_spec(SPEC, "cost", 1, prices=prices)
    assert (choice.config_name, choice.instance_type) == ("lmi-optimized", "ml.g5.12xlarge")
    assert choice.cost_per_million_tokens == pytest.approx(7.09 / (45 * 3600) * 1e6)
    assert choice.why.startswith("lmi-optimized on ml.g5.12xlarge: $43.77 per 1M tokens")
    with pytest.raises(ObjectiveError, match=r"no recorded price for ml.p5.48xlarge"):
        choose_from_spec(SPEC, "cost", 1, ["ml.p5.48xlarge"], prices=prices)


@pytest.mark.parametrize("objective, concurrency, fragment", [
    ("speed", 1, "optimize_for='speed' is not an objective; valid: latency, throughput, cost"),
    ("latency", 0, "concurrency=0 must be a whole number"),
    ("latency", True, "concurrency=True"),
])
def test_bad_input_names_the_value_and_what_is_valid(objective, concurrency, fragment):
    with pytest.raises(ObjectiveError) as err:
        choose_from_spec(SPEC, objective, concurrency)
    assert fragment in str(err.value)


def test_no_figures_at_all():
    with pytest.raises(ObjectiveError, match="no benchmark figures"):
        choose_from_spec({"inference_configs": {"tgi": {}}}, "latency")


def test_choice_round_trips_through_json():
    choice = choose_from_spec(SPEC, "latency", 1)
    assert Choice.from_json(choice.to_json()) == choice
