"""Randomized lifetimes of a stack (hypothesis state machines): deploys, updates, failed updates and
their rollbacks, destroys, redeploys right after a destroy, crashed invocations, late, duplicate and
lost events, and (in the full machine) lost responses and jobs that outlive their wait, with the
invariants of issue #18 checked after every step. Derandomized and bounded, for CI."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.cfnsim import World, apps, invariants
from tests.cfnsim.world import seed

NAME = "Stack"
PREFIX = "pytorch-ic-mobilenet-v2-"
OTHER_INPUT = "s3://jumpstart-cache-prod-us-west-2/inputs/other/"


class Lifecycle(RuleBasedStateMachine):
    """Documented paths: whatever the order, no stack ends ``*_FAILED``, no job runs without its
    resource, no signal crosses lifetimes, no output is shared, every response fits."""

    job_minutes = st.integers(min_value=1, max_value=90)  # shorter than the example's 2-hour wait

    def __init__(self):
        super().__init__()
        self.world = World()
        self.versions = {"v1": apps.example("transform"), "v2": apps.example("transform", input_data=OTHER_INPUT)}
        for assembly in self.versions.values():
            seed(self.world, assembly)

    def _stack(self):
        return self.world.cfn.stacks.get(NAME)

    def _settled(self) -> bool:
        stack = self._stack()
        return stack is not None and stack.status in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE")

    @rule(version=st.sampled_from(["v1", "v2"]))
    def deploy(self, version):
        self.world.deploy(NAME, self.versions[version])

    @precondition(lambda self: self._settled())
    @rule(version=st.sampled_from(["v1", "v2"]))
    def failed_update(self, version):
        """The update's new wait condition fails: the stack rolls back to what it was."""
        self.world.faults[("AWS::CloudFormation::WaitCondition", "Create")] = "simulated failure"
        try:
            self.world.deploy(NAME, self.versions[version])
        finally:
            self.world.faults.clear()

    @precondition(lambda self: self._stack() is not None)
    @rule()
    def destroy(self):
        self.world.destroy(NAME)

    @rule(hours=st.integers(min_value=0, max_value=6))
    def wait(self, hours):
        self.world.advance(hours * 3600)

    @rule(outcome=st.sampled_from(["Completed", "Completed", "Failed"]), minutes=job_minutes)
    def next_jobs(self, outcome, minutes):
        self.world.sagemaker.plan(PREFIX, outcome, minutes * 60.0)

    @rule()
    def crash_next_invocation(self):
        state = {"done": False}

        def once(function, payload):
            if state["done"]:
                return False
            state["done"] = True
            return True

        self.world.lambdas.crash = once

    @rule(mode=st.sampled_from(["late", "duplicate", "dropped", "normal"]))
    def next_event(self, mode):
        delays = {"late": [1800.0], "duplicate": [1.0, 60.0], "dropped": [], "normal": [1.0]}[mode]
        state = {"done": False}

        def tamper(rule_, event):
            if state["done"]:
                return [1.0]
            state["done"] = True
            return delays

        self.world.events.tamper = tamper

    @invariant()
    def holds(self):
        assert invariants.all_violations(self.world) == []


class FullLifecycle(Lifecycle):
    """Also lost responses and jobs that outlive their wait (issue #18 defects 4 and 9 live here)."""

    job_minutes = st.integers(min_value=1, max_value=300)

    def __init__(self):
        super().__init__()
        self.world.sagemaker.plan(PREFIX, "Completed", 3 * 3600.0)  # until told otherwise, jobs outlive the wait

    @rule()
    def lose_next_job_create_response(self):
        """A lost Create response (a lost Delete response fails any stack: nothing to check there)."""
        state = {"done": False}

        def lose(stack, resource, event):
            if state["done"] or resource.type != "Custom::JumpStartJob" or event["RequestType"] != "Create":
                return False
            state["done"] = True
            return True

        self.world.cfn.lose_response = lose

    @rule(outcome=st.sampled_from(["Completed", "Failed"]), minutes=st.integers(min_value=1, max_value=300))
    def next_long_jobs(self, outcome, minutes):
        self.world.sagemaker.plan(PREFIX, outcome, minutes * 60.0)


BOUNDED = dict(max_examples=6, stateful_step_count=6, derandomize=True, deadline=None, database=None,
               suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])


def test_documented_lifecycles_keep_the_invariants():
    Lifecycle.TestCase.settings = settings(**BOUNDED)
    Lifecycle.TestCase().runTest()


def test_full_lifecycles_keep_the_invariants():
    FullLifecycle.TestCase.settings = settings(**{**BOUNDED, "max_examples": 8, "stateful_step_count": 6})
    FullLifecycle.TestCase().runTest()
