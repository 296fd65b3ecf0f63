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


# -- the construct's door: lockfile first, the resolver when needed (_resolution.choose_for) ----------------

import json  # noqa: E402
import os  # noqa: E402

from botocore.stub import Stubber  # noqa: E402
from constructs import Construct  # noqa: E402

from constructs_jumpstart import LockfileError, resolver  # noqa: E402
from constructs_jumpstart._resolution import choose_for  # noqa: E402
from constructs_jumpstart.lockfile import ChoiceKey, Lockfile, forget_open_lockfiles  # noqa: E402

LLM = "fixture-llm-optimized"
CHOICE_KEY = f"{LLM}@*|us-west-2|optimize=latency|concurrency=1"


def _infos(construct: Construct):
    return [m.data for m in construct.node.metadata if m.type == "aws:cdk:info"]


def test_choose_for_on_the_shipped_fixture_records_the_choice(make_stack, lockfile):
    scope = Construct(make_stack(), "Chat")
    version, choice = choose_for(scope, LLM, "*", "us-west-2", "latency", 1)
    assert (version, choice.config_name, choice.instance_type) == ("1.0.0", "lmi-optimized", "ml.p5.48xlarge")
    assert _infos(scope) == ['jumpstart: optimize_for="latency" chose lmi-optimized on ml.p5.48xlarge: 0.08 s at '
                             "concurrency 1"]
    data = json.loads(lockfile.read_text())
    assert data["version"] == 4 and "prices" not in data
    assert data["choices"][CHOICE_KEY] == {"version": "1.0.0", **choice.to_json()}
    assert ChoiceKey.parse(CHOICE_KEY) == ChoiceKey(LLM, "*", "us-west-2", "latency", 1)


def test_the_fixture_choices_by_rule(make_stack):
    """The fixture's own figures: lmi-optimized has none for p4d (it supports it), so an allowed set of p4d and
    g5.12xlarge takes lmi on p4d; at concurrency 2 the figures at 4 count; throughput at 8 only p4d and p5."""
    stack = make_stack()
    pick = lambda *a, **k: choose_for(Construct(stack, f"C{len(stack.node.children)}"), LLM, "*", "us-west-2", *a, **k)[1]  # noqa: E731
    assert pick("latency", 1, ["ml.p4d.24xlarge", "ml.g5.12xlarge"]).why == \
        "lmi on ml.p4d.24xlarge: 0.12 s at concurrency 1"
    assert pick("latency", 2, ["ml.g5.12xlarge"]).why == \
        "lmi-optimized on ml.g5.12xlarge: 0.4 s at concurrency 4 (nearest measured at or above 2)"
    assert pick("throughput", 8).why == "lmi-optimized on ml.p5.48xlarge: 80 tokens/s per user at concurrency 16 " \
        "(nearest measured at or above 8)"
    with pytest.raises(ObjectiveError, match=r"at concurrency=8: no figures for the allowed instance types "
                                             r"\(ml.g5.48xlarge\)"):
        pick("latency", 8, ["g5.48xlarge"])  # lmi measured g5.48xlarge at 1 and 4, tgi at 1: none at or above 8


def test_a_recorded_choice_is_used_and_frozen_refuses_a_missing_one(make_stack, lockfile):
    choose_for(Construct(make_stack(), "C"), LLM, "*", "us-west-2", "latency", 1)
    data = json.loads(lockfile.read_text())
    data["choices"][CHOICE_KEY]["instance_type"] = "ml.g5.12xlarge"  # proof the lockfile is read
    lockfile.write_text(json.dumps(data))
    forget_open_lockfiles()
    frozen = make_stack(context={"jumpstart:frozen": "true"})
    assert choose_for(Construct(frozen, "C"), LLM, "*", "us-west-2", "latency", 1)[1].instance_type == "ml.g5.12xlarge"
    with pytest.raises(LockfileError, match=r"has no choice 'fixture-llm-optimized@\*\|us-west-2\|optimize=throughput"
                                            r"\|concurrency=1' and jumpstart:frozen is set"):
        choose_for(Construct(frozen, "D"), LLM, "*", "us-west-2", "throughput", 1)


def test_cost_without_prices_in_the_lockfile_is_a_clear_error(make_stack):
    with pytest.raises(ObjectiveError, match=r"needs instance prices.*jumpstart lock --prices"):
        choose_for(Construct(make_stack(), "C"), LLM, "*", "us-west-2", "cost", 1)


def _price_product(instance_type: str, usd: str) -> str:
    """A PriceList item as the Price List API returns it (a JSON string; trimmed to the fields read)."""
    return json.dumps({
        "product": {"productFamily": "ML Instance", "attributes": {"instanceName": instance_type,
                                                                   "regionCode": "us-west-2", "servicecode": "AmazonSageMaker"}},
        "serviceCode": "AmazonSageMaker",
        "terms": {"OnDemand": {"SKU.JRTCKXETXF": {"priceDimensions": {"SKU.JRTCKXETXF.6YS6EN2CT7": {
            "unit": "Hrs", "pricePerUnit": {"USD": usd}, "description": f"${usd} per On Demand {instance_type} hour"}},
            "sku": "SKU", "effectiveDate": "2026-11-01T00:00:00Z"}}},
    })


def _stubbed_pricing(answers):
    import boto3

    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    for instance_type, usd in answers:
        stubber.add_response("get_products", {"PriceList": [_price_product(instance_type, usd)] if usd else [],
                                              "FormatVersion": "aws_v1"},
                             {"ServiceCode": "AmazonSageMaker", "Filters": [
                                 {"Type": "TERM_MATCH", "Field": "instanceName", "Value": instance_type},
                                 {"Type": "TERM_MATCH", "Field": "locationType", "Value": "AWS Region"},
                                 {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "us-west-2"}]})
    stubber.activate()
    return client, stubber


def test_instance_prices_ask_as_the_sdk_asks_and_never_guess():
    client, stubber = _stubbed_pricing([("ml.g5.12xlarge", "7.0900000000"), ("ml.p5.48xlarge", None)])
    assert resolver.instance_prices("us-west-2", ["ml.g5.12xlarge", "ml.p5.48xlarge"], client) == {"ml.g5.12xlarge": 7.09}
    stubber.assert_no_pending_responses()


def test_instance_prices_refused_says_which_permission():
    import boto3

    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    stubber.add_client_error("get_products", "AccessDeniedException", "not authorized")
    stubber.activate()
    with pytest.raises(Exception, match=r"needs pricing:GetProducts"):
        resolver.instance_prices("us-west-2", ["ml.g5.12xlarge"], client)


def test_cost_with_prices_recorded_by_the_price_list_api(make_stack, lockfile, monkeypatch):
    answers = [("ml.g5.12xlarge", "7.09"), ("ml.g5.48xlarge", "20.36"), ("ml.p4d.24xlarge", "37.688"),
               ("ml.p5.48xlarge", None)]  # no p5 price: p5 is left out, not guessed
    client, stubber = _stubbed_pricing(answers)
    monkeypatch.setattr(resolver, "pricing_client", lambda region: client)
    stack = make_stack(context={"jumpstart:prices": "true"})
    version, choice = choose_for(Construct(stack, "C"), LLM, "*", "us-west-2", "cost", 1)
    stubber.assert_no_pending_responses()
    # per 1M tokens at concurrency 1: g5.12x 7.09/45 (lmi-optimized) < g5.48x 20.36/70 < p4d 37.688/90
    assert (choice.config_name, choice.instance_type) == ("lmi-optimized", "ml.g5.12xlarge")
    assert choice.why == ("lmi-optimized on ml.g5.12xlarge: $43.77 per 1M tokens ($7.09/h, 45 tokens/s per user) "
                          "at concurrency 1")
    data = json.loads(lockfile.read_text())
    assert data["prices"]["us-west-2"]["usd_per_hour"] == {"ml.g5.12xlarge": 7.09, "ml.g5.48xlarge": 20.36,
                                                          "ml.p4d.24xlarge": 37.688}
    assert data["prices"]["us-west-2"]["source"].startswith("AWS Price List API")
    # later synths read the recorded prices, without asking again (no stubbed answer is left)
    forget_open_lockfiles()
    again = choose_for(Construct(make_stack(), "C"), LLM, "*", "us-west-2", "cost", 4)[1]
    assert again.instance_type == "ml.g5.12xlarge" and again.measured_concurrency == 4


def test_malformed_choices_are_a_lockfile_error(tmp_path):
    path = tmp_path / "jumpstart.lock.json"
    path.write_text(json.dumps({"version": 4, "entries": {}, "choices": {"x|y|optimize=latency|concurrency=1": {}}}))
    with pytest.raises(LockfileError, match=r"'choices' or 'prices' are malformed"):
        Lockfile.read_unchecked(path)


def test_a_lockfile_without_choices_is_written_as_before(tmp_path):
    path = tmp_path / "jumpstart.lock.json"
    Lockfile(path).save()
    assert set(json.loads(path.read_text())) == {"version", "comment", "entries"}


# -- `jumpstart describe MODEL --benchmarks`, compared with what SageMaker SDK v2 reports ----------------------

import subprocess  # noqa: E402

from .sdk_oracle import CATALOG, HERE, SDK_PYTHON  # noqa: E402


def _describe_benchmarks(*extra):
    from typer.testing import CliRunner

    from constructs_jumpstart.cli import app

    return CliRunner().invoke(app, ["describe", LLM, "--benchmarks", "--source", "shipped", "--region", "us-west-2",
                                    *extra])


def test_describe_benchmarks_json_and_table():
    result = _describe_benchmarks("--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["version"] == "1.0.0"
    assert data["benchmarks"][2] == {"config_name": "lmi-optimized", "instance_type": "ml.p5.48xlarge", "concurrency": 1,
                                     "latency": 80.0, "latency_unit": "ms", "latency_s": 0.08, "throughput": 150.0,
                                     "throughput_unit": "Tokens/S"}
    table = _describe_benchmarks()
    assert table.exit_code == 0 and "lmi-optimized" in table.stdout and "80 ms" in table.stdout


def test_describe_benchmarks_refuses_what_it_does_not_take():
    result = _describe_benchmarks("--config", "lmi")
    assert result.exit_code != 0 and "--benchmarks shows every config" in result.output


def test_describe_benchmarks_is_what_the_sdk_reports():
    """SDK v2's JumpStartModel(...).benchmark_metrics (the table display_benchmark_metrics prints) has the same
    rows in the same order (configs by ranking, instance types and concurrencies as the spec lists them), the
    same figures and units; list_deployment_configs() gives each config's figures on its default instance type."""
    if not SDK_PYTHON.exists():
        pytest.fail(f"{SDK_PYTHON} is missing: run 'make install'")
    run = subprocess.run([str(SDK_PYTHON), str(HERE / "benchmarks.py"), str(CATALOG), LLM, "1.0.0", "us-west-2"],
                         capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    line = next((x for x in run.stdout.splitlines() if x.startswith("ORACLE-JSON ")), None)
    assert line, run.stdout[-3000:] + run.stderr[-3000:]
    sdk = json.loads(line[len("ORACLE-JSON "):])
    ours = json.loads(_describe_benchmarks("--json").stdout)["benchmarks"]
    assert [(r["Config Name"], r["Instance Type"].replace(" (Default)", ""), r["Concurrent Users"],
             float(r["Latency, TTFT (P50 in ms)"]), float(r["Throughput (P50 in tokens/s/user)"])) for r in sdk["table"]] \
        == [(o["config_name"], o["instance_type"], o["concurrency"], o["latency"], o["throughput"]) for o in ours]
    assert {o["latency_unit"].lower() for o in ours} == {"ms"}  # the SDK's column says "in ms"
    for config in sdk["configs"]:
        for instance_type, stats in config["BenchmarkMetrics"].items():
            mine = {(o["concurrency"], o["latency"], o["throughput"]) for o in ours
                    if o["config_name"] == config["DeploymentConfigName"] and o["instance_type"] == instance_type}
            theirs = {(s["concurrency"], float(s["value"])) for s in stats}
            assert {(c, lat) for c, lat, _ in mine} | {(c, thr) for c, _, thr in mine} == theirs


# -- `jumpstart lock --upgrade` shows a changed choice before -> after; `jumpstart lock --prices` ------------------


def _cli(*args):
    from typer.testing import CliRunner

    from constructs_jumpstart.cli import app

    return CliRunner().invoke(app, list(args))


def test_lock_upgrade_shows_a_changed_choice_before_and_after(tmp_path):
    from constructs_jumpstart._objective import choose as choose_options

    (tmp_path / "cdk.json").write_text(json.dumps({"app": "false", "context": {"jumpstart:metadata": "shipped"}}))
    lock = Lockfile(tmp_path / "jumpstart.lock.json")
    spec = resolver.benchmark_spec(LLM, "*", region="us-west-2", source="shipped")[1]
    # as recorded when the spec measured only g5.12xlarge
    stale = choose_options([o for o in options(spec) if o.instance_type == "ml.g5.12xlarge"], "latency", 1)
    lock.choices[CHOICE_KEY] = {"version": "1.0.0", **stale.to_json()}
    lock.save()
    result = _cli("lock", str(tmp_path), "--upgrade")
    assert result.exit_code == 0, result.output
    assert (f"choice {CHOICE_KEY}\n  1.0.0: lmi-optimized on ml.g5.12xlarge: 0.25 s at concurrency 1 -> 1.0.0: "
            "lmi-optimized on ml.p5.48xlarge: 0.08 s at concurrency 1") in result.stdout
    assert "1 of 1 choice(s) by objective changed" in result.stdout
    assert json.loads((tmp_path / "jumpstart.lock.json").read_text())["choices"][CHOICE_KEY]["instance_type"] == \
        "ml.p5.48xlarge"
    again = _cli("lock", str(tmp_path), "--upgrade")
    assert "0 of 1 choice(s) by objective changed" in again.stdout and "->" not in again.stdout


def test_lock_prices_excludes_the_read_only_modes(tmp_path):
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "false"}))
    result = _cli("lock", str(tmp_path), "--prices", "--check")
    assert result.exit_code != 0 and "--prices records prices while the app runs" in result.output


def test_the_endpoint_deploys_what_optimize_for_chose(make_stack):
    """The prop wired into JumpStartEndpoint: the chosen instance type and config reach the template."""
    from aws_cdk.assertions import Annotations, Match, Template

    from constructs_jumpstart import JumpStartEndpoint

    stack = make_stack()
    endpoint = JumpStartEndpoint(stack, "Chat", model_id="fixture-llm-optimized", optimize_for="latency")
    assert (endpoint.instance_type, endpoint.resolved.config_name) == ("ml.p5.48xlarge", "lmi-optimized")
    Template.from_stack(stack).has_resource_properties("AWS::SageMaker::EndpointConfig", {
        "ProductionVariants": [Match.object_like({"InstanceType": "ml.p5.48xlarge"})]})
    Annotations.from_stack(stack).has_info("*", Match.string_like_regexp("chose lmi-optimized on ml.p5.48xlarge"))


def test_optimize_for_refuses_what_it_chooses(make_stack):
    from constructs_jumpstart import JumpStartEndpoint, JumpStartError

    with pytest.raises(JumpStartError, match=r"drop instance_type \(it chooses them\), or drop optimize_for"):
        JumpStartEndpoint(make_stack(), "E", model_id="fixture-llm-optimized", optimize_for="latency",
                          instance_type="ml.g5.12xlarge")
    with pytest.raises(JumpStartError, match=r"latency, throughput, cost"):
        JumpStartEndpoint(make_stack(), "F", model_id="fixture-llm-optimized", optimize_for="fast")
