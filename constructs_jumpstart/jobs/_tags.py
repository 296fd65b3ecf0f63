"""The tags of a job the handler starts: CloudFormation never sees the job, so ``Tags.of(scope)``
reaches it only through its runner (an ``ITaggable``), rendered into the request's ``Tags`` at
synth, after the SDK's JumpStart tags."""

from __future__ import annotations

import re
from typing import Dict, List, Mapping, Optional

import jsii
from aws_cdk import IAnyProducer, TagManager, TagType, Token
from constructs import IValidation

RESOURCE_TYPE = "Custom::JumpStartJob"
"""What ``Tags.of(...).add(include_resource_types=[...])`` names to select jobs."""
DIRECT_PRIORITY = 50
"""``tags=`` as a CloudFormation resource's own tags: below ``Tags.of``'s default priority (100),
as CDK's ``TagManager`` ranks a resource's initial tags."""
# SageMaker's Tag shape (botocore sagemaker model: TagKey 1-128, TagValue 0-256, one pattern for
# both, TagList at most 50) and AWS's reserved prefix ("Tagging AWS resources", AWS General Reference:
# keys may not begin with aws:)
MAX_TAGS, MAX_KEY, MAX_VALUE = 50, 128, 256
_SEPARATORS = "\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"  # \p{Z}
_ALLOWED = re.compile(rf"^[\w{_SEPARATORS}.:/=+\-@]*$")  # \p{L}\p{N}_ as \w


def tag_problems(tags: List[Dict[str, str]]) -> List[str]:
    """What SageMaker refuses of a job's tags (tokens are checked by SageMaker at deploy)."""
    problems = [f"a job takes at most {MAX_TAGS} tags; this one has {len(tags)}."] if len(tags) > MAX_TAGS else []
    for tag in tags:
        key, value = tag["Key"], tag["Value"]
        if Token.is_unresolved(key) or Token.is_unresolved(value):
            continue
        if not 1 <= len(key) <= MAX_KEY or len(value) > MAX_VALUE:
            problems.append(f"tag {key!r}: keys take 1-{MAX_KEY} characters, values at most {MAX_VALUE}.")
        if key.lower().startswith("aws:"):
            problems.append(f"tag {key!r}: the aws: prefix is reserved for AWS.")
        if not (_ALLOWED.match(key) and _ALLOWED.match(value)):
            problems.append(f"tag {key!r}: keys and values take letters, digits, spaces and _ . : / = + - @ only.")
    return problems


STACK_TAG = "jumpstart:stack-id"
"""The tag every job the handler starts carries: the id of the stack that asked for it. The handler may
start a job only with it (``aws:RequestTag``) and describe or stop one only if it carries this stack's
id or no such tag (``aws:ResourceTag``, ``...IfExists``: jobs started before the tag existed)."""


@jsii.implements(IAnyProducer)
class JobTags:
    """The request's ``Tags``: the SDK's tags, then the construct's (an SDK tag's key keeps the SDK's
    value: SageMaker refuses a key twice), then the stack's id (:data:`STACK_TAG`, over a tag of yours
    of that key)."""

    def __init__(self, sdk_tags: List[Dict[str, str]], tags: Optional[Mapping[str, str]],
                 stack_id: Optional[str] = None) -> None:
        self.sdk_tags = list(sdk_tags)
        self.stack_id = stack_id
        self.manager = TagManager(TagType.KEY_VALUE, RESOURCE_TYPE)
        for key, value in (tags or {}).items():
            self.manager.set_tag(key, value, DIRECT_PRIORITY)

    def merged(self) -> List[Dict[str, str]]:
        taken = {t["Key"] for t in self.sdk_tags} | {STACK_TAG}
        rendered = self.manager.render_tags() or []
        own = [{"Key": STACK_TAG, "Value": self.stack_id}] if self.stack_id is not None else []
        return self.sdk_tags + [{"Key": t["Key"], "Value": t["Value"]} for t in rendered if t["Key"] not in taken] + own

    def produce(self, context) -> List[Dict[str, str]]:  # noqa: ARG002 - IAnyProducer
        return self.merged()


@jsii.implements(IValidation)
class TagCheck:
    """Runs after ``Tags.of`` applied its tags (aspects run before validation)."""

    def __init__(self, tags: JobTags) -> None:
        self.tags = tags

    def validate(self) -> List[str]:
        return tag_problems(self.tags.merged())
