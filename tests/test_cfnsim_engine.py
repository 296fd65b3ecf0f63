"""The simulated CloudFormation on a hand-written template and a toy provider (not ours): the
documented rules of custom resources and wait conditions, and the stack-resource APIs."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.cfnsim import World
from tests.cfnsim.botohook import ServiceError
from tests.cfnsim.template import Assembly

PROVIDER = textwrap.dedent('''
    import json, time, urllib.request

    def put(url, body):
        data = json.dumps(body).encode()
        urllib.request.urlopen(urllib.request.Request(url, data=data, method="PUT"))

    def on_event(event, context):
        props = event["ResourceProperties"]
        mode = props.get("Mode", "ok")
        if event["RequestType"] == "Delete" and props.get("DeleteMode"):
            mode = props["DeleteMode"]
        if mode == "silent":
            return
        if mode == "raise":
            raise RuntimeError("boom")
        if mode == "sleep":
            time.sleep(10_000)
        physical = props.get("Name") or event.get("PhysicalResourceId") or "toy-" + event["LogicalResourceId"]
        body = {"Status": "FAILED" if mode == "fail" else "SUCCESS", "Reason": "x" * 5000 if mode == "big" else mode,
                "PhysicalResourceId": physical, "StackId": event["StackId"], "RequestId": event["RequestId"],
                "LogicalResourceId": event["LogicalResourceId"], "Data": {"Echo": props.get("Echo", "")}}
        put(event["ResponseURL"], body)
''')


def assembly(tmp_path: Path, resources: dict) -> Assembly:
    asset = tmp_path / "asset"
    asset.mkdir(exist_ok=True)
    (asset / "toyprovider.py").write_text(PROVIDER)
    template = {"Resources": {
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Code": {"S3Bucket": "assets", "S3Key": "toy.zip"}, "Handler": "toyprovider.on_event",
            "Runtime": "python3.12", "Timeout": 30}},
        **resources}}
    return Assembly(tmp_path, "Toy", template, {"toy.zip": asset})


def custom(**props) -> dict:
    return {"Type": "Custom::Toy", "Properties": {"ServiceToken": {"Fn::GetAtt": ["Fn", "Arn"]}, **props}}


def requests(world, logical):
    return [i["payload"] for i in world.lambdas.invocations if i["payload"].get("LogicalResourceId") == logical]


def test_request_fields_and_string_properties(tmp_path):
    world = World()
    stack = world.deploy("S", assembly(tmp_path, {"A": custom(Number=5, Flag=True, List=[1, "a"])}))
    assert stack.status == "CREATE_COMPLETE"
    event, = requests(world, "A")
    assert set(event) == {"RequestType", "ResponseURL", "StackId", "RequestId", "ResourceType", "LogicalResourceId",
                          "ResourceProperties"}
    assert event["ResourceProperties"]["Number"] == "5" and event["ResourceProperties"]["Flag"] == "true"
    assert event["ResourceProperties"]["List"] == ["1", "a"]
    assert event["ResourceProperties"]["ServiceToken"].startswith("arn:aws:lambda:")


def test_response_over_4096_bytes_fails_the_resource(tmp_path):
    world = World()
    stack = world.deploy("S", assembly(tmp_path, {"A": custom(Mode="big", DeleteMode="ok")}))
    assert ("A", "CREATE_FAILED", "Response object is too long.") in [e[1:] for e in stack.events]
    assert stack.status == "ROLLBACK_COMPLETE"


def test_no_response_fails_after_service_timeout_and_rollback_delete_carries_a_generated_id(tmp_path):
    world = World()
    start = world.clock.now
    stack = world.deploy("S", assembly(tmp_path, {"A": custom(Mode="silent", ServiceTimeout=60, DeleteMode="ok")}))
    failed = next(e for e in stack.events if e[1:3] == ("A", "CREATE_FAILED"))
    assert "did not receive a response" in failed[3] and 60 <= failed[0] - start < 70
    delete = requests(world, "A")[-1]
    assert delete["RequestType"] == "Delete" and delete["PhysicalResourceId"].startswith("S-A-")
    assert stack.status == "ROLLBACK_COMPLETE"


def test_default_custom_resource_timeout_is_an_hour(tmp_path):
    world = World()
    start = world.clock.now
    stack = world.deploy("S", assembly(tmp_path, {"A": custom(Mode="silent", DeleteMode="ok")}))
    failed = next(e for e in stack.events if e[1:3] == ("A", "CREATE_FAILED"))
    assert 3600 <= failed[0] - start < 3610


def test_failed_create_is_deleted_with_the_physical_id_it_returned(tmp_path):
    world = World()
    stack = world.deploy("S", assembly(tmp_path, {"A": custom(Mode="fail", Name="chosen", DeleteMode="ok")}))
    assert [(r["RequestType"], r.get("PhysicalResourceId")) for r in requests(world, "A")] == \
        [("Create", None), ("Delete", "chosen")]
    assert stack.status == "ROLLBACK_COMPLETE"


def test_function_errors_are_retried_twice_then_the_resource_times_out(tmp_path):
    world = World()
    stack = world.deploy("S", assembly(tmp_path, {"A": custom(Mode="raise", ServiceTimeout=600, DeleteMode="ok")}))
    attempts = [i for i in world.lambdas.invocations if i["payload"].get("RequestType") == "Create"]
    assert [i["outcome"] for i in attempts] == ["error"] * 3
    gaps = [round(b["start"] - a["start"]) for a, b in zip(attempts, attempts[1:])]
    assert gaps == [60, 120]
    assert stack.status == "ROLLBACK_COMPLETE"


def test_lambda_timeout_stops_the_function(tmp_path):
    world = World()
    world.deploy("S", assembly(tmp_path, {"A": custom(Mode="sleep", ServiceTimeout=600, DeleteMode="ok")}))
    first = world.lambdas.invocations[0]
    assert first["outcome"] == "timeout" and first["end"] - first["start"] == pytest.approx(30)


def test_update_replacement_then_cleanup_deletes_the_old_id_with_old_properties(tmp_path):
    world = World()
    world.deploy("S", assembly(tmp_path, {"A": custom(Name="one", Echo="1")}))
    stack = world.deploy("S", assembly(tmp_path, {"A": custom(Name="two", Echo="2")}))
    assert stack.status == "UPDATE_COMPLETE"
    create, update, delete = requests(world, "A")
    assert update["RequestType"] == "Update" and update["PhysicalResourceId"] == "one"
    assert update["OldResourceProperties"]["Echo"] == "1" and update["ResourceProperties"]["Echo"] == "2"
    assert delete["RequestType"] == "Delete" and delete["PhysicalResourceId"] == "one"
    assert delete["ResourceProperties"]["Echo"] == "1"
    cleanup = next(t for t, _, s, _ in stack.events if s == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    assert world.lambdas.invocations[-1]["start"] >= cleanup


def test_update_rollback_sends_old_properties_then_deletes_the_new_id(tmp_path):
    world = World()
    world.deploy("S", assembly(tmp_path, {"A": custom(Name="one", Echo="1")}))
    later = {"Type": "AWS::SNS::Topic", "DependsOn": "A", "Properties": {}}
    world.faults[("B", "Create")] = "boom"
    stack = world.deploy("S", assembly(tmp_path, {"A": custom(Name="two", Echo="2"), "B": later}))
    assert stack.status == "UPDATE_ROLLBACK_COMPLETE"
    kinds = [(r["RequestType"], r.get("PhysicalResourceId"), r["ResourceProperties"]["Echo"],
              (r.get("OldResourceProperties") or {}).get("Echo")) for r in requests(world, "A")]
    assert kinds == [("Create", None, "1", None), ("Update", "one", "2", "1"), ("Update", "two", "1", "2"),
                     ("Delete", "two", "2", None)]


def test_failed_delete_in_a_rollback_leaves_rollback_failed(tmp_path):
    world = World()
    stack = world.deploy("S", assembly(tmp_path, {"A": custom(Mode="fail", DeleteMode="fail")}))
    assert stack.status == "ROLLBACK_FAILED"


def test_failed_delete_leaves_delete_failed(tmp_path):
    world = World()
    world.deploy("S", assembly(tmp_path, {"A": custom(DeleteMode="fail")}))
    assert world.destroy("S").status == "DELETE_FAILED"


def _wait(handle="H", timeout="100", count=1) -> dict:
    return {"Type": "AWS::CloudFormation::WaitCondition", "Properties": {"Handle": {"Ref": handle},
                                                                         "Timeout": timeout, "Count": count}}


def _signal(world, url, status="SUCCESS", unique="1", data="d"):
    world.cfn.signal(url, json.dumps({"Status": status, "Reason": "r", "UniqueId": unique, "Data": data}).encode())


def test_wait_condition_counts_distinct_successes_and_exposes_data(tmp_path):
    world = World()
    handle = {"Type": "AWS::CloudFormation::WaitConditionHandle"}
    template = assembly(tmp_path, {"H": handle, "W": _wait(count=2)})
    world.clock.after(50, lambda: [_signal(world, u, unique=i, data=i) for u in world.cfn.handles for i in "112"])
    stack = world.deploy("S", template)
    assert stack.status == "CREATE_COMPLETE"
    assert json.loads(stack.resources["W"].attrs["Data"]) == {"1": "1", "2": "2"}


def test_wait_condition_fails_on_failure_signal_and_on_timeout(tmp_path):
    world = World()
    template = assembly(tmp_path, {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"}, "W": _wait()})
    world.clock.after(50, lambda: [_signal(world, u, "FAILURE") for u in world.cfn.handles])
    assert world.deploy("S", template).status == "ROLLBACK_COMPLETE"
    world2 = World()
    start = world2.clock.now
    stack = world2.deploy("S", template)
    failed = next(e for e in stack.events if e[1:3] == ("W", "CREATE_FAILED"))
    assert failed[0] - start == pytest.approx(100, abs=15) and "timed out" in failed[3]


def test_wait_condition_timeout_above_12_hours_is_refused(tmp_path):
    world = World()
    stack = world.deploy("S", assembly(tmp_path, {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"},
                                                  "W": _wait(timeout="43201")}))
    assert stack.status == "ROLLBACK_COMPLETE"


def test_wait_condition_cannot_be_updated(tmp_path):
    world = World()
    world.clock.after(20, lambda: [_signal(world, u) for u in world.cfn.handles])
    world.deploy("S", assembly(tmp_path, {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"}, "W": _wait()}))
    stack = world.deploy("S", assembly(tmp_path, {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"},
                                                  "W": _wait(timeout="200")}))
    assert ("W", "UPDATE_FAILED") in [e[1:3] for e in stack.events]
    assert stack.status == "UPDATE_ROLLBACK_COMPLETE"


def test_signal_to_a_deleted_handle_is_ignored(tmp_path):
    world = World()
    world.clock.after(20, lambda: [_signal(world, u) for u in world.cfn.handles])
    world.deploy("S", assembly(tmp_path, {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"}, "W": _wait()}))
    url = next(iter(world.cfn.handles))
    world.destroy("S")
    _signal(world, url, "FAILURE")
    assert world.cfn.ignored_signals and world.cfn.handles[url]["signals"][-1]["Status"] == "SUCCESS"


def test_describe_stack_resources_returns_the_first_100(tmp_path):
    world = World()
    many = {f"T{i:03d}": {"Type": "AWS::SNS::Topic", "Properties": {}} for i in range(150)}
    stack = world.deploy("S", assembly(tmp_path, many))
    cfn = world.hooked.client("cloudformation")
    assert len(cfn.describe_stack_resources(StackName="S")["StackResources"]) == 100
    pages = list(cfn.get_paginator("list_stack_resources").paginate(StackName="S"))
    assert sum(len(p["StackResourceSummaries"]) for p in pages) == 151 and len(pages) == 2
    assert cfn.describe_stack_resource(StackName="S", LogicalResourceId="T149")["StackResourceDetail"]
    world.destroy("S")
    with pytest.raises(cfn.exceptions.ClientError, match="does not exist"):
        cfn.describe_stack_resources(StackName="S")
    assert cfn.describe_stack_resources(StackName=stack.id)["StackResources"]


def test_redeploy_of_a_rolled_back_stack_deletes_it_first(tmp_path):
    world = World()
    first = world.deploy("S", assembly(tmp_path, {"A": custom(Mode="fail", DeleteMode="ok")}))
    second = world.deploy("S", assembly(tmp_path, {"A": custom()}))
    assert first.status == "DELETE_COMPLETE" and second.status == "CREATE_COMPLETE" and first.id != second.id


def test_create_of_an_existing_stack_is_refused(tmp_path):
    world = World()
    world.deploy("S", assembly(tmp_path, {"A": custom()}))
    with pytest.raises(ServiceError):
        world.cfn.create_stack("S", assembly(tmp_path, {"A": custom()}))
