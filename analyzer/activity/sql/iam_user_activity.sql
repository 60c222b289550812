-- ACT-003: IAM users at work, per account and user: how many events, the last one, from where.
SELECT
  recipientaccountid AS account_id,
  useridentity.arn AS principal_arn,
  useridentity.username AS user_name,
  count(DISTINCT eventid) AS events,
  min(eventtime) AS first_event,
  max(eventtime) AS last_event,
  array_agg(DISTINCT sourceipaddress) AS source_ips,
  array_agg(DISTINCT eventname) AS event_names
FROM cloudtrail_logs
WHERE useridentity.type = 'IAMUser'
GROUP BY recipientaccountid, useridentity.arn, useridentity.username
