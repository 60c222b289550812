"""Service control policies: every level must allow, any level may deny, management account exempt."""

from iam_case_support import (
    BUCKET,
    CLOUDTRAIL,
    MEMBER_ACCT,
    ROOT_MEMBER,
    Case,
    allow,
    deny,
    policy,
)

from analyzer.iam import Principal

SCP_EVAL = "organizations:orgs_manage_policies_scps_evaluation.html"
SCP = "organizations:orgs_manage_policies_scps.html"
SCP_EFFECTS = "organizations:orgs_manage_policies_scps.html#scp-effects-on-permissions"
SCP_EXAMPLES = "organizations:orgs_manage_policies_scps_examples_general.html"
EVAL = "reference_policies_evaluation-logic_policy-eval-denyallow.html"

FULL = policy(allow("FullAWSAccess"))
S3_ONLY = policy(allow("AllowS3", Action="s3:*"))
DENY_LEAVE = policy(deny("DenyLeaveOrg", Action="organizations:LeaveOrganization"))
READ = policy(allow("Read", Action="s3:GetObject"))
ALL = policy(allow("All"))
SLR = Principal.role(f"arn:aws:iam::{MEMBER_ACCT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")
REGION_GUARD = policy(
    deny(
        "DenyOutsideEU",
        NotAction=["iam:*", "organizations:*", "sts:*"],
        Condition={"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}},
    )
)
ADMIN_EXEMPT = policy(
    deny(
        "DenyIamExceptAdmin",
        Action="iam:*",
        Condition={"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrgAdmin"}},
    )
)

CASES = [
    Case("full-access-every-level", SCP_EVAL, "allow", "FullAWSAccess", identity=[READ], scps=[[FULL], [FULL], [FULL]]),
    Case(
        "ou-level-without-allow-blocks",
        SCP_EVAL,
        "implicit_deny",
        identity=[READ],
        scps=[[FULL], [policy(allow("AllowEc2", Action="ec2:*"))], [FULL]],
        reason="ou-level1",
    ),
    Case("account-level-allow-list", SCP_EVAL, "allow", "AllowS3", identity=[READ], scps=[[FULL], [FULL], [S3_ONLY]]),
    Case(
        "deny-at-root-level",
        SCP_EVAL,
        "explicit_deny",
        "DenyLeaveOrg",
        identity=[ALL],
        scps=[[FULL, DENY_LEAVE], [FULL]],
        action="organizations:LeaveOrganization",
        reason="at level r-root",
    ),
    Case(
        "deny-at-account-level",
        SCP_EVAL,
        "explicit_deny",
        "DenyLeaveOrg",
        identity=[ALL],
        scps=[[FULL], [FULL], [FULL, DENY_LEAVE]],
        action="organizations:LeaveOrganization",
    ),
    Case(
        "management-account-not-affected",
        SCP_EFFECTS,
        "allow",
        "All",
        identity=[ALL],
        scps=None,
        action="organizations:LeaveOrganization",
    ),
    Case("scp-never-grants", SCP_EFFECTS, "implicit_deny", scps=[[FULL], [FULL]]),
    Case("empty-level-blocks", SCP_EVAL, "implicit_deny", identity=[READ], scps=[[FULL], []]),
    Case(
        "scp-applies-to-member-root",
        SCP_EFFECTS,
        "explicit_deny",
        "DenyLeaveOrg",
        scps=[[FULL, DENY_LEAVE]],
        principal=ROOT_MEMBER,
        action="organizations:LeaveOrganization",
        arn="*",
        resource_account=MEMBER_ACCT,
    ),
    Case(
        "scp-does-not-apply-to-service-linked-role",
        SCP_EFFECTS,
        "allow",
        "All",
        identity=[ALL],
        scps=[[FULL, DENY_LEAVE]],
        principal=SLR,
        action="organizations:LeaveOrganization",
        arn="*",
    ),
    Case(
        "scp-does-not-apply-to-service-principal",
        SCP_EFFECTS,
        "allow",
        "Svc",
        resource=policy(
            allow(
                "Svc", Principal={"Service": "cloudtrail.amazonaws.com"}, Action="s3:PutObject", Resource=f"{BUCKET}/*"
            )
        ),
        scps=[[policy(deny("DenyPut", Action="s3:PutObject"))]],
        principal=CLOUDTRAIL,
        action="s3:PutObject",
    ),
    Case(
        "region-guard-blocks-other-region",
        SCP_EXAMPLES,
        "explicit_deny",
        "DenyOutsideEU",
        identity=[ALL],
        scps=[[FULL, REGION_GUARD]],
        action="ec2:RunInstances",
        arn="*",
        context={"aws:RequestedRegion": "us-east-1"},
    ),
    Case(
        "region-guard-spares-listed-region",
        SCP_EXAMPLES,
        "allow",
        "All",
        identity=[ALL],
        scps=[[FULL, REGION_GUARD]],
        action="ec2:RunInstances",
        arn="*",
        context={"aws:RequestedRegion": "eu-west-1"},
    ),
    Case(
        "region-guard-spares-global-services",
        SCP_EXAMPLES,
        "allow",
        "All",
        identity=[ALL],
        scps=[[FULL, REGION_GUARD]],
        action="iam:ListUsers",
        arn="*",
        context={"aws:RequestedRegion": "us-east-1"},
    ),
    Case(
        "principal-arn-exception-applies-to-others",
        SCP_EXAMPLES,
        "explicit_deny",
        "DenyIamExceptAdmin",
        identity=[ALL],
        scps=[[FULL, ADMIN_EXEMPT]],
        action="iam:CreateUser",
        arn="*",
    ),
    Case(
        "principal-arn-exception-spares-admin",
        SCP_EXAMPLES,
        "allow",
        "All",
        identity=[ALL],
        scps=[[FULL, ADMIN_EXEMPT]],
        principal=Principal.role(f"arn:aws:iam::{MEMBER_ACCT}:role/OrgAdmin"),
        action="iam:CreateUser",
        arn="*",
    ),
    Case(
        "explicit-deny-beats-scp-and-identity-allow",
        EVAL,
        "explicit_deny",
        "IdentityDeny",
        identity=[ALL, policy(deny("IdentityDeny", Action="s3:GetObject"))],
        scps=[[FULL]],
    ),
]
