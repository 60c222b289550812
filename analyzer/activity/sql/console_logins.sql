-- ACT-001: console sign-ins (AWS CloudTrail User Guide, "AWS Management Console sign-in events").
-- MFAUsed is "Yes"/"No" (the root example says "YES"); outcome in responseElements.ConsoleLogin.
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
  json_extract_scalar(additionaleventdata, '$.MFAUsed') AS mfa_used,
  json_extract_scalar(responseelements, '$.ConsoleLogin') AS outcome,
  '' AS target
FROM cloudtrail_logs
WHERE eventname = 'ConsoleLogin'
