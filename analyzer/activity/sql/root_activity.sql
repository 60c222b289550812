-- ACT-004: anything done as the root user (AWS CloudTrail User Guide, "CloudTrail userIdentity element").
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
  '' AS mfa_used,
  '' AS outcome,
  '' AS target
FROM cloudtrail_logs
WHERE useridentity.type = 'Root'
