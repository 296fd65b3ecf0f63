"use strict";
// Spike, not library code: one endpoint rendered inside the CDK's JavaScript runtime in one jsii call
// (the same L2 role and key, the same L1s, the same acknowledgements and dependencies as
// JumpStartEndpoint), to measure what the Python <-> JavaScript round trips cost. See run.py.
const cdk = require("aws-cdk-lib");
const iam = require("aws-cdk-lib/aws-iam");
const kms = require("aws-cdk-lib/aws-kms");
const sm = require("aws-cdk-lib/aws-sagemaker");
function tokens(v) {
  if (Array.isArray(v)) return v.map(tokens);
  if (v && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 1 && (keys[0].startsWith("Fn::") || keys[0] === "Ref")) return cdk.Token.asString(new cdk.Intrinsic(v));
    return Object.fromEntries(keys.map(k => [k, tokens(v[k])]));
  }
  return v;
}
class Renderer {
  static render(endpoint, model, plan) {
    plan.tags = plan.tags.map(t => ({ key: t.Key, value: t.Value }));
    const role = new iam.Role(model, "Role", {
      assumedBy: new iam.ServicePrincipal("sagemaker.amazonaws.com"),
      description: plan.roleDescription,
      inlinePolicies: { JumpStart: iam.PolicyDocument.fromJson(tokens(plan.policy)) },
    });
    cdk.Validations.of(role.node.defaultChild).acknowledge(...plan.acks.map(([id, reason]) => ({ id, reason })));
    const cfnModel = new sm.CfnModel(model, "Resource", { executionRoleArn: role.roleArn, enableNetworkIsolation: plan.isolation, tags: plan.tags });
    cfnModel.addPropertyOverride("PrimaryContainer", plan.container);
    cfnModel.node.addDependency(role);
    const key = new kms.Key(endpoint, "Key", { enableKeyRotation: true, removalPolicy: cdk.RemovalPolicy.DESTROY,
      pendingWindow: cdk.Duration.days(7), description: plan.keyDescription });
    const variants = plan.variants.map(v => ({ ...v, modelName: cfnModel.attrModelName }));
    const config = new sm.CfnEndpointConfig(endpoint, "EndpointConfig", { productionVariants: variants, kmsKeyId: key.keyArn, tags: plan.tags });
    config.node.addDependency(model);
    const ep = new sm.CfnEndpoint(endpoint, "Endpoint", { endpointConfigName: config.attrEndpointConfigName, tags: plan.tags });
    return [role, cfnModel, key, config, ep];
  }
}
exports.Renderer = Renderer;
