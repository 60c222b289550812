"""Policy documents of a generated organization that the sample organization does not need.

AWS-managed policies appear abbreviated to their spirit (the real ``ViewOnlyAccess`` lists
hundreds of actions); customer policies follow current AWS guidance: cross-account
``sts:AssumeRole`` on a role name in any account, confined to the organization with
``aws:ResourceOrgID``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analyzer.synth.documents import VERSION

Json = dict[str, Any]

ADMINISTRATOR_ACCESS_ID = "ANPAIWMBCKSKIEE64ZLYK"
VIEW_ONLY_ACCESS_ID = "ANPAID22R6XPJATWOFDK6"


def administrator_access() -> Json:
    return {"Version": VERSION, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def view_only_access() -> Json:
    actions = [
        "acm:ListCertificates",
        "cloudformation:DescribeStacks",
        "cloudformation:ListStacks",
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:ListMetrics",
        "config:DescribeConfigurationRecorders",
        "config:DescribeDeliveryChannels",
        "dynamodb:ListTables",
        "ec2:DescribeInstances",
        "ec2:DescribeRegions",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcs",
        "ecs:ListClusters",
        "eks:ListClusters",
        "iam:ListRoles",
        "iam:ListUsers",
        "kms:ListKeys",
        "lambda:ListFunctions",
        "rds:DescribeDBInstances",
        "s3:ListAllMyBuckets",
        "sns:ListTopics",
        "sqs:ListQueues",
    ]
    return {"Version": VERSION, "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}


def assume_named_role_in_org(role_name: str, organization_id: str, *, sid: str, confined: bool = True) -> Json:
    """Allow ``sts:AssumeRole`` on ``<role_name>`` in any account, only inside the organization."""
    statement: Json = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": f"arn:aws:iam::*:role/{role_name}",
    }
    if confined:
        statement["Condition"] = {"StringEquals": {"aws:ResourceOrgID": organization_id}}
    return {"Version": VERSION, "Statement": [statement]}


def developer_access(version: int) -> Json:
    """The workload accounts' customer-managed developer policy; later versions add services."""
    services = [
        ["cloudformation:*", "cloudwatch:*", "logs:*", "lambda:*", "s3:*"],
        ["dynamodb:*", "ecs:*", "ecr:*", "sqs:*", "sns:*"],
        ["ssm:GetParameter*", "secretsmanager:GetSecretValue", "states:*", "events:*"],
    ]
    actions = [a for group in services[:version] for a in group]
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "WorkloadServices", "Effect": "Allow", "Action": actions, "Resource": "*"},
            {
                "Sid": "NoIdentityOrOrganizationChanges",
                "Effect": "Deny",
                "Action": ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "organizations:*"],
                "Resource": "*",
            },
        ],
    }


def service_role_policy(actions: Sequence[str], resources: Sequence[str] | str = "*") -> Json:
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Action": list(actions),
                "Resource": resources if isinstance(resources, str) else list(resources),
            }
        ],
    }


def protect_logging_scp() -> Json:
    """An SCP that keeps member accounts from switching off their own logging."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "ProtectCloudTrailAndConfig",
                "Effect": "Deny",
                "Action": [
                    "cloudtrail:StopLogging",
                    "cloudtrail:DeleteTrail",
                    "cloudtrail:UpdateTrail",
                    "config:StopConfigurationRecorder",
                    "config:DeleteConfigurationRecorder",
                    "config:DeleteDeliveryChannel",
                ],
                "Resource": "*",
            }
        ],
    }


def deny_assume_roles_scp(role_arns: Sequence[str]) -> Json:
    """Deny ``sts:AssumeRole`` on named roles (a decommissioned deployment path)."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "DenyDecommissionedDeployRoles",
                "Effect": "Deny",
                "Action": "sts:AssumeRole",
                "Resource": list(role_arns),
            }
        ],
    }
