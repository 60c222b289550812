"""What each compliance framework holds, as far as trustmap knows it: the controls of its sections
that concern identity and logging (named so that the controls trustmap does not cover can be said),
and how far its references were checked.

CIS AWS Foundations sections 1 (Identity and Access Management) and 3 (Logging) are listed whole:
their numbering was checked against secondary listings of the published benchmarks (v3.0.0 and
v4.0.1, whose sections 1 and 3 v4.0.0 shares); no CIS text was at hand. For NIST SP 800-53, PCI DSS,
APRA CPS 234 and MAS TRM only the controls the rules cite are named: every other control of them is
"not covered", and the APRA paragraph and MAS section numbers were not checked against the published
texts (their subjects match secondary summaries: CPS 234 paragraph 21 information security controls,
MAS TRM 9.1 user access management and 9.2 privileged access management).
"""

from __future__ import annotations

_CIS_SECTIONS: tuple[tuple[str, str], ...] = (
    ("1.1", "Maintain current contact details"),
    ("1.2", "Ensure security contact information is registered"),
    ("1.3", "Ensure security questions are registered in the AWS account"),
    ("1.4", "Ensure no 'root' user account access key exists"),
    ("1.5", "Ensure MFA is enabled for the 'root' user account"),
    ("1.6", "Ensure hardware MFA is enabled for the 'root' user account"),
    ("1.7", "Eliminate use of the 'root' user for administrative and daily tasks"),
    ("1.8", "Ensure IAM password policy requires minimum length of 14 or greater"),
    ("1.9", "Ensure IAM password policy prevents password reuse"),
    ("1.10", "Ensure MFA is enabled for all IAM users that have a console password"),
    ("1.11", "Do not create access keys during initial setup for IAM users with a console password"),
    ("1.12", "Ensure credentials unused for 45 days or more are disabled"),
    ("1.13", "Ensure there is only one active access key for any single IAM user"),
    ("1.14", "Ensure access keys are rotated every 90 days or less"),
    ("1.15", "Ensure IAM users receive permissions only through groups"),
    ("1.16", 'Ensure IAM policies that allow full "*:*" administrative privileges are not attached'),
    ("1.17", "Ensure a support role has been created to manage incidents with AWS Support"),
    ("1.18", "Ensure IAM instance roles are used for AWS resource access from instances"),
    ("1.19", "Ensure that all expired SSL/TLS certificates stored in AWS IAM are removed"),
    ("1.20", "Ensure that IAM Access Analyzer is enabled for all regions"),
    ("1.21", "Ensure IAM users are managed centrally via identity federation or AWS Organizations"),
    ("1.22", "Ensure access to AWSCloudShellFullAccess is restricted"),
    ("2.1.1", "Ensure S3 bucket policy is set to deny HTTP requests"),
    ("3.1", "Ensure CloudTrail is enabled in all regions"),
    ("3.2", "Ensure CloudTrail log file validation is enabled"),
    ("3.3", "Ensure AWS Config is enabled in all regions"),
    ("3.4", "Ensure that server access logging is enabled on the CloudTrail S3 bucket"),
    ("3.5", "Ensure CloudTrail logs are encrypted at rest using KMS CMKs"),
    ("3.6", "Ensure rotation for customer-created symmetric CMKs is enabled"),
    ("3.7", "Ensure VPC flow logging is enabled in all VPCs"),
    ("3.8", "Ensure that object-level logging for write events is enabled for S3 buckets"),
    ("3.9", "Ensure that object-level logging for read events is enabled for S3 buckets"),
)


#: framework name -> (the controls known, with their titles; how far the references were checked)
KNOWN_CONTROLS: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "CIS AWS Foundations v3.0.0": (
        _CIS_SECTIONS,
        "Sections 1 and 3 listed whole (and 2.1.1); numbering checked against secondary listings of the "
        "published benchmark, not the CIS text itself.",
    ),
    "CIS AWS Foundations v4.0.0": (
        tuple(c for c in _CIS_SECTIONS if c[0] != "2.1.1"),
        "Sections 1 and 3 listed whole; numbering checked against secondary listings of v4.0.1, which "
        "v4.0.0 shares, not the CIS text itself.",
    ),
    "NIST SP 800-53 rev. 5": ((), "Only the controls the rules cite are named; every other control is not covered."),
    "PCI DSS v4.0": ((), "Only the requirements the rules cite are named; every other requirement is not covered."),
    "APRA CPS 234": (
        (),
        "NOT VERIFIED against the published standard: paragraph numbers follow secondary summaries "
        "(paragraph 21: information security controls). Every other paragraph is not covered.",
    ),
    "MAS TRM": (
        (),
        "NOT VERIFIED against the published guidelines: section numbers follow secondary summaries "
        "(9.1 user access management, 9.2 privileged access management). Every other section is not covered.",
    ),
}
