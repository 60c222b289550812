"""Keys the evidence cannot know: conditional allows and conditional denies."""

from iam_case_support import Case, allow, deny, policy

OPS = "reference_policies_elements_condition_operators.html"
IP = "reference_policies_elements_condition_operators.html#Conditions_IPAddress"
KEYS = "reference_policies_condition-keys.html"
IFEXISTS = "reference_policies_elements_condition_operators.html#Conditions_IfExists"
DENYALLOW = "reference_policies_evaluation-logic_policy-eval-denyallow.html"

ONLY_OFFICE = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}

CASES = [
    Case(
        "allow-on-unknown-source-ip-is-conditional",
        IP,
        "allow",
        "Office",
        identity=[policy(allow("Office", Action="s3:GetObject", Condition=ONLY_OFFICE))],
        default="unknown",
        conditional=True,
    ),
    Case(
        "known-source-ip-is-definite",
        IP,
        "allow",
        "Office",
        identity=[policy(allow("Office", Action="s3:GetObject", Condition=ONLY_OFFICE))],
        context={"aws:SourceIp": "203.0.113.9"},
        default="unknown",
        conditional=False,
    ),
    Case(
        "false-clause-beats-unknown-clause",
        OPS,
        "implicit_deny",
        identity=[
            policy(
                allow(
                    "Office",
                    Action="s3:GetObject",
                    Condition={
                        "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                        "Bool": {"aws:SecureTransport": "true"},
                    },
                )
            )
        ],
        context={"aws:SecureTransport": "false"},
        default="unknown",
    ),
    Case(
        "deny-on-unknown-key-is-conditional-deny",
        DENYALLOW,
        "allow",
        "Read",
        identity=[
            policy(allow("Read", Action="s3:GetObject")),
            policy(deny("DenyOutsideOffice", Condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
        ],
        default="unknown",
        conditional=False,
        conditional_deny="DenyOutsideOffice",
    ),
    Case(
        "definite-deny-beats-conditional-allow",
        DENYALLOW,
        "explicit_deny",
        "DenyRead",
        identity=[
            policy(allow("Office", Action="s3:GetObject", Condition=ONLY_OFFICE)),
            policy(deny("DenyRead", Action="s3:GetObject")),
        ],
        default="unknown",
    ),
    Case(
        "definite-allow-preferred-over-conditional",
        OPS,
        "allow",
        "Plain",
        identity=[
            policy(allow("Office", Action="s3:GetObject", Condition=ONLY_OFFICE), allow("Plain", Action="s3:GetObject"))
        ],
        default="unknown",
        conditional=False,
    ),
    Case(
        "ifexists-on-unknown-is-conditional",
        IFEXISTS,
        "allow",
        "C",
        identity=[
            policy(allow("C", Action="s3:GetObject", Condition={"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}))
        ],
        default="unknown",
        conditional=True,
    ),
    Case(
        "null-on-unknown-is-conditional",
        OPS,
        "allow",
        "C",
        identity=[policy(allow("C", Action="s3:GetObject", Condition={"Null": {"aws:SourceVpc": "false"}}))],
        default="unknown",
        conditional=True,
    ),
    Case(
        "forallvalues-on-unknown-is-conditional",
        OPS,
        "allow",
        "C",
        identity=[
            policy(allow("C", Action="s3:GetObject", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": "env"}}))
        ],
        default="unknown",
        conditional=True,
    ),
    Case(
        "principal-keys-known-even-when-default-unknown",
        KEYS,
        "allow",
        "C",
        identity=[
            policy(
                allow("C", Action="s3:GetObject", Condition={"StringEquals": {"aws:PrincipalAccount": "111111111111"}})
            )
        ],
        default="unknown",
        conditional=False,
    ),
    Case(
        "principal-tag-known-absent",
        KEYS,
        "implicit_deny",
        identity=[
            policy(allow("C", Action="s3:GetObject", Condition={"StringEquals": {"aws:PrincipalTag/cost": "1"}}))
        ],
        default="unknown",
    ),
    Case(
        "variable-on-unknown-key-is-conditional",
        "reference_policies_variables.html",
        "allow",
        "C",
        identity=[
            policy(
                allow("C", Action="s3:GetObject", Condition={"StringEquals": {"s3:prefix": "${aws:SourceIdentity}"}})
            )
        ],
        context={"s3:prefix": "x"},
        default="unknown",
        conditional=True,
    ),
]
