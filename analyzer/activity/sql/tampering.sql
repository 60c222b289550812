-- ACT-005: changes to the logging model itself. A call with an errorCode changed nothing.
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
  coalesce(
    json_extract_scalar(requestparameters, '$.name'),
    json_extract_scalar(requestparameters, '$.trailName'),
    json_extract_scalar(requestparameters, '$.configurationRecorderName'),
    json_extract_scalar(requestparameters, '$.deliveryChannelName'),
    json_extract_scalar(requestparameters, '$.bucketName'),
    json_extract_scalar(requestparameters, '$.roleName'),
    ''
  ) AS target
FROM cloudtrail_logs
WHERE (eventsource = 'cloudtrail.amazonaws.com'
       AND eventname IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'))
   OR (eventsource = 'config.amazonaws.com'
       AND eventname IN ('StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel'))
   OR (eventsource = 's3.amazonaws.com'
       AND eventname IN ('PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl'))
   OR (eventsource = 'iam.amazonaws.com' AND eventname = 'UpdateAssumeRolePolicy')
