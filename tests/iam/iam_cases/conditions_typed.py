"""Numeric, Date, Bool, Binary, IP address and ARN condition operators."""

from iam_case_support import MEMBER_ACCT, Case, allow, deny, policy

from iam_cases._cond import cond

NUM = "reference_policies_elements_condition_operators.html#Conditions_Numeric"
DATE = "reference_policies_elements_condition_operators.html#Conditions_Date"
BOOL = "reference_policies_elements_condition_operators.html#Conditions_Boolean"
BIN = "reference_policies_elements_condition_operators.html#Conditions_BinaryEquals"
IP = "reference_policies_elements_condition_operators.html#Conditions_IPAddress"
ARN = "reference_policies_elements_condition_operators.html#Conditions_ARN"
OPS = "reference_policies_elements_condition_operators.html"

KEYS = "s3:max-keys"
NOW = "aws:CurrentTime"
EPOCH = "aws:EpochTime"
TLS = "aws:SecureTransport"
IPK = "aws:SourceIp"
SRC = "aws:SourceArn"
TRAIL = f"arn:aws:cloudtrail:us-east-1:{MEMBER_ACCT}:trail/org-trail"

CASES = [
    # Numeric
    cond("numericequals", NUM, "NumericEquals", KEYS, "10", True, context={KEYS: "10"}),
    cond("numericequals-float-form", NUM, "NumericEquals", KEYS, "10", True, context={KEYS: "10.0"}),
    cond("numericnotequals", NUM, "NumericNotEquals", KEYS, "10", False, context={KEYS: "10"}),
    cond("numericnotequals-missing-true", OPS, "NumericNotEquals", KEYS, "10", True),
    cond("numericlessthan", NUM, "NumericLessThan", KEYS, "10", True, context={KEYS: "9"}),
    cond("numericlessthan-equal-false", NUM, "NumericLessThan", KEYS, "10", False, context={KEYS: "10"}),
    cond("numericlessthanequals", NUM, "NumericLessThanEquals", KEYS, "10", True, context={KEYS: "10"}),
    cond("numericgreaterthan", NUM, "NumericGreaterThan", KEYS, "10", True, context={KEYS: "11"}),
    cond("numericgreaterthanequals", NUM, "NumericGreaterThanEquals", KEYS, "10", False, context={KEYS: "9"}),
    cond("numeric-compares-numbers-not-strings", NUM, "NumericLessThan", KEYS, "100", True, context={KEYS: "9"}),
    cond("numeric-policy-number-value", NUM, "NumericLessThanEquals", KEYS, 10, True, context={KEYS: "3"}),
    cond("numeric-unparseable-request-value", NUM, "NumericLessThan", KEYS, "10", False, context={KEYS: "ten"}),
    cond(
        "numeric-invalid-policy-value-reported",
        NUM,
        "NumericLessThan",
        KEYS,
        "ten",
        False,
        context={KEYS: "3"},
        problem="invalid value",
    ),
    # Date
    cond(
        "datelessthan-iso",
        DATE,
        "DateLessThan",
        NOW,
        "2024-01-01T00:00:00Z",
        True,
        context={NOW: "2023-06-30T12:00:00Z"},
    ),
    cond(
        "datelessthan-iso-after",
        DATE,
        "DateLessThan",
        NOW,
        "2024-01-01T00:00:00Z",
        False,
        context={NOW: "2024-06-30T12:00:00Z"},
    ),
    cond(
        "dategreaterthan-date-only",
        DATE,
        "DateGreaterThan",
        NOW,
        "2020-01-01",
        True,
        context={NOW: "2020-01-02T00:00:00Z"},
    ),
    cond(
        "dateequals-offset",
        DATE,
        "DateEquals",
        NOW,
        "2024-01-01T00:00:00Z",
        True,
        context={NOW: "2024-01-01T01:00:00+01:00"},
    ),
    cond("datenotequals-missing-true", OPS, "DateNotEquals", NOW, "2024-01-01T00:00:00Z", True),
    cond(
        "date-epoch-policy-value",
        DATE,
        "DateGreaterThanEquals",
        EPOCH,
        "1700000000",
        True,
        context={EPOCH: "1700000001"},
    ),
    cond("date-epoch-vs-iso", DATE, "DateLessThan", NOW, "1704067200", True, context={NOW: "2023-12-31T23:59:59Z"}),
    cond(
        "date-lessthanequals-boundary",
        DATE,
        "DateLessThanEquals",
        NOW,
        "2024-01-01T00:00:00Z",
        True,
        context={NOW: "2024-01-01T00:00:00Z"},
    ),
    cond("date-missing-key-false", DATE, "DateLessThan", NOW, "2030-01-01T00:00:00Z", False),
    # Bool
    cond("bool-true", BOOL, "Bool", TLS, "true", True, context={TLS: "true"}),
    cond("bool-false-vs-true", BOOL, "Bool", TLS, "true", False, context={TLS: "false"}),
    cond("bool-json-boolean-value", BOOL, "Bool", TLS, True, True, context={TLS: "true"}),
    cond("bool-value-case-insensitive", BOOL, "Bool", TLS, "TRUE", True, context={TLS: "true"}),
    cond("bool-missing-false", BOOL, "Bool", TLS, "false", False),
    cond(
        "bool-invalid-policy-value-reported",
        BOOL,
        "Bool",
        TLS,
        "yes",
        False,
        context={TLS: "true"},
        problem="invalid value",
    ),
    # Binary
    cond(
        "binaryequals-match",
        BIN,
        "BinaryEquals",
        "s3:x-amz-key",
        "QmluYXJ5VmFsdWVJbkJhc2U2NA==",
        True,
        context={"s3:x-amz-key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="},
    ),
    cond(
        "binaryequals-mismatch",
        BIN,
        "BinaryEquals",
        "s3:x-amz-key",
        "QmluYXJ5VmFsdWVJbkJhc2U2NA==",
        False,
        context={"s3:x-amz-key": "b3RoZXI="},
    ),
    cond("binaryequals-missing", BIN, "BinaryEquals", "s3:x-amz-key", "b3RoZXI=", False),
    # BinaryEquals compares the request's bytes with the base64-encoded policy value ("the value must be
    # base64 encoded"): a policy value that is not base64 can match nothing and is reported ...
    cond(
        "binaryequals-invalid-policy-value-reported",
        BIN,
        "BinaryEquals",
        "s3:x-amz-key",
        "not base64!",
        False,
        context={"s3:x-amz-key": "bm90IGJhc2U2NCE="},
        problem="BinaryEquals: invalid value 'not base64!'",
    ),
    # ... a request value that is not base64 matches no policy value (and is no policy problem) ...
    cond(
        "binaryequals-request-not-base64",
        BIN,
        "BinaryEquals",
        "s3:x-amz-key",
        "b3RoZXI=",
        False,
        context={"s3:x-amz-key": "other"},
    ),
    # ... and a Deny guarded by an invalid value refuses nothing (its clause matches no request), with
    # the problem reported so that the report shows why the Deny did not count.
    Case(
        "binaryequals-invalid-value-in-deny-reported",
        BIN,
        "allow",
        "A",
        identity=[
            policy(
                allow("A", Action="s3:GetObject"),
                deny("D", Action="s3:GetObject", Condition={"BinaryEquals": {"s3:x-amz-key": "%%%"}}),
            )
        ],
        context={"s3:x-amz-key": "b3RoZXI="},
        problem="BinaryEquals: invalid value '%%%'",
    ),
    # IP address
    cond("ipaddress-v4-in-cidr", IP, "IpAddress", IPK, "203.0.113.0/24", True, context={IPK: "203.0.113.7"}),
    cond("ipaddress-v4-outside", IP, "IpAddress", IPK, "203.0.113.0/24", False, context={IPK: "203.0.114.7"}),
    cond("ipaddress-single-host", IP, "IpAddress", IPK, "203.0.113.7/32", True, context={IPK: "203.0.113.7"}),
    cond("ipaddress-bare-address", IP, "IpAddress", IPK, "203.0.113.7", True, context={IPK: "203.0.113.7"}),
    cond(
        "ipaddress-v6-in-cidr",
        IP,
        "IpAddress",
        IPK,
        "2001:DB8:1234:5678::/64",
        True,
        context={IPK: "2001:db8:1234:5678::1"},
    ),
    cond(
        "ipaddress-v6-outside",
        IP,
        "IpAddress",
        IPK,
        "2001:DB8:1234:5678::/64",
        False,
        context={IPK: "2001:db8:1234:9999::1"},
    ),
    cond("ipaddress-v4-vs-v6-range", IP, "IpAddress", IPK, "2001:DB8::/32", False, context={IPK: "203.0.113.7"}),
    cond(
        "ipaddress-ranges-or",
        IP,
        "IpAddress",
        IPK,
        ["198.51.100.0/24", "2001:DB8::/32"],
        True,
        context={IPK: "2001:db8::5"},
    ),
    cond("notipaddress-inside", IP, "NotIpAddress", IPK, "203.0.113.0/24", False, context={IPK: "203.0.113.7"}),
    cond("notipaddress-outside", IP, "NotIpAddress", IPK, "203.0.113.0/24", True, context={IPK: "198.51.100.1"}),
    cond("notipaddress-missing-true", OPS, "NotIpAddress", IPK, "203.0.113.0/24", True),
    cond("ipaddress-missing-false", IP, "IpAddress", IPK, "0.0.0.0/0", False),
    # A range written with host bits set (203.0.113.7/24) is the range its prefix length describes
    # (RFC 4632, which the IpAddress operator's page names for the value's format): 203.0.113.0/24.
    cond("ipaddress-host-bits-set-in", IP, "IpAddress", IPK, "203.0.113.7/24", True, context={IPK: "203.0.113.99"}),
    cond("ipaddress-host-bits-set-out", IP, "IpAddress", IPK, "203.0.113.7/24", False, context={IPK: "203.0.114.7"}),
    cond(
        "ipaddress-invalid-policy-value-reported",
        IP,
        "IpAddress",
        IPK,
        "203.0.113.300/24",
        False,
        context={IPK: "203.0.113.7"},
        problem="IpAddress: invalid value '203.0.113.300/24'",
    ),
    # aws:SourceIp is one address; a single-address range (/32, /128) in the request stands for that address ...
    cond("ipaddress-request-slash-32", IP, "IpAddress", IPK, "203.0.113.0/24", True, context={IPK: "203.0.113.7/32"}),
    cond(
        "ipaddress-request-slash-32-outside",
        IP,
        "IpAddress",
        IPK,
        "203.0.113.0/24",
        False,
        context={IPK: "203.0.114.7/32"},
    ),
    cond("ipaddress-request-slash-128", IP, "IpAddress", IPK, "2001:DB8::/32", True, context={IPK: "2001:db8::1/128"}),
    # ... but a wider range is no address: it is in no range (IpAddress false, NotIpAddress true).
    cond(
        "ipaddress-request-range-no-match",
        IP,
        "IpAddress",
        IPK,
        "203.0.113.0/24",
        False,
        context={IPK: "203.0.113.0/24"},
    ),
    cond(
        "notipaddress-request-range", IP, "NotIpAddress", IPK, "203.0.113.0/24", True, context={IPK: "203.0.113.0/24"}
    ),
    # ARN
    cond("arnequals-exact", ARN, "ArnEquals", SRC, TRAIL, True, context={SRC: TRAIL}),
    cond("arnlike-account-wildcard", ARN, "ArnLike", SRC, "arn:aws:cloudtrail:*:*:trail/*", True, context={SRC: TRAIL}),
    cond(
        "arnequals-also-takes-wildcards",
        ARN,
        "ArnEquals",
        SRC,
        "arn:aws:cloudtrail:us-east-1:*:trail/*",
        True,
        context={SRC: TRAIL},
    ),
    cond(
        "arnlike-case-sensitive", ARN, "ArnLike", SRC, "arn:aws:cloudtrail:*:*:trail/Org-*", False, context={SRC: TRAIL}
    ),
    cond(
        "arnlike-segment-star-not-crossing-colon",
        ARN,
        "ArnLike",
        SRC,
        "arn:aws:cloudtrail:*:trail/org-trail",
        False,
        context={SRC: TRAIL},
    ),
    cond(
        "arnlike-resource-star-crosses-slash",
        ARN,
        "ArnLike",
        "aws:PrincipalArn",
        "arn:aws:iam::*:role/*",
        True,
        context={"aws:PrincipalArn": "arn:aws:iam::1:role/a/b"},
    ),
    cond(
        "arnlike-non-arn-value",
        ARN,
        "ArnLike",
        SRC,
        "arn:aws:cloudtrail:*:*:trail/*",
        False,
        context={SRC: "not-an-arn"},
    ),
    cond(
        "arnnotlike-present-match",
        ARN,
        "ArnNotLike",
        SRC,
        "arn:aws:cloudtrail:*:*:trail/*",
        False,
        context={SRC: TRAIL},
    ),
    cond("arnnotequals-missing-true", OPS, "ArnNotEquals", SRC, TRAIL, True),
    cond("arnlike-missing-false", ARN, "ArnLike", SRC, "arn:*", False),
]
