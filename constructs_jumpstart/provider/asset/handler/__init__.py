"""The Lambda handler behind every custom resource of constructs_jumpstart (plain boto3). Loaded in
Lambda as the package ``handler`` (entry point ``handler.index.on_event``): ``cfn`` speaks
CloudFormation's custom-resource protocol, ``aws`` calls the APIs, and one module per resource kind
(``jobs``, ``waits``, ``models``, ``artifacts``) does the work."""
