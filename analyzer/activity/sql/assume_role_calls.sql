-- ACT-002: role assumptions, each copy with whether it shows MFA. MFA is carried by the caller's session
-- (sessionContext.attributes.mfaAuthenticated) or, for a long-term-key caller, by the MFA parameters of
-- the call (requestParameters.serialNumber) (AWS CloudTrail User Guide, "CloudTrail userIdentity
-- element"; IAM User Guide, "Logging IAM and AWS STS API calls with AWS CloudTrail"). A cross-account
-- call is recorded twice, once in the caller's account and once in the role's, both copies with the same
-- sharedEventID (CloudTrail User Guide, "CloudTrail record contents"); the role account's copy names the
-- caller only as an account (userIdentity.type AWSAccount) and cannot show MFA, nor can a SAML or web
-- identity session's ('unknown'). An AWS service assuming a role on its own behalf (userIdentity.type
-- AWSService: Lambda, EC2 ...) is no person and cannot present MFA; those records, the most numerous
-- AssumeRole records, are left out. role_account: the account of requestParameters.roleArn.
SELECT
  "$path" AS log_file,
  eventid AS event_id,
  recipientaccountid AS account_id,
  awsregion AS region,
  eventtime AS event_time,
  eventsource AS event_source,
  eventname AS event_name,
  useridentity.type AS identity_type,
  useridentity.arn AS principal_arn,
  useridentity.username AS user_name,
  useridentity.accountid AS caller_account,
  useridentity.sessioncontext.sessionissuer.arn AS issuer_arn,
  useridentity.sessioncontext.attributes.mfaauthenticated AS session_mfa,
  sourceipaddress AS source_ip,
  errorcode AS error_code,
  sharedeventid AS shared_event_id,
  json_extract_scalar(requestparameters, '$.serialNumber') AS mfa_used,
  '' AS outcome,
  json_extract_scalar(requestparameters, '$.roleArn') AS target,
  CASE
    WHEN lower(useridentity.sessioncontext.attributes.mfaauthenticated) = 'true'
      OR coalesce(json_extract_scalar(requestparameters, '$.serialNumber'), '') <> '' THEN 'yes'
    WHEN useridentity.type IN ('AWSAccount', 'AWSService', 'SAMLUser', 'WebIdentityUser') THEN 'unknown'
    ELSE 'no'
  END AS mfa,
  CASE
    WHEN length(coalesce(json_extract_scalar(requestparameters, '$.roleArn'), ''))
      - length(replace(coalesce(json_extract_scalar(requestparameters, '$.roleArn'), ''), ':', '')) >= 5
    THEN split_part(json_extract_scalar(requestparameters, '$.roleArn'), ':', 5)
    ELSE ''
  END AS role_account,
  coalesce(sharedeventid, '') AS pair_id,
  substr(eventtime, 1, 10) AS event_day
FROM cloudtrail_logs
WHERE eventsource = 'sts.amazonaws.com' AND eventname = 'AssumeRole'
  AND useridentity.type IS DISTINCT FROM 'AWSService'
