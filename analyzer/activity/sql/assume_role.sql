-- ACT-002: the role assumptions to look at one by one (the rest are counted by
-- assume_role_deciders.sql): those that succeeded without MFA; those whose MFA no copy of the same call
-- (same sharedEventID, same day; a record without one is a copy of nothing) can show; and the copies that show MFA of a call another copy shows
-- without it (conflicting copies, judged in the rule).
SELECT
  log_file, event_id, account_id, region, event_time, event_source, event_name, identity_type,
  principal_arn, user_name, caller_account, issuer_arn, session_mfa, source_ip, error_code,
  shared_event_id, mfa_used, outcome, target
FROM assume_role_calls AS c
WHERE coalesce(c.error_code, '') = '' AND c.role_account <> ''
  AND (
    c.mfa = 'no'
    OR (c.mfa = 'unknown' AND (c.pair_id = '' OR NOT EXISTS (
      SELECT 1 FROM assume_role_calls AS d
      WHERE d.mfa <> 'unknown' AND d.pair_id = c.pair_id AND d.event_day = c.event_day)))
    OR (c.mfa = 'yes' AND c.pair_id <> '' AND EXISTS (
      SELECT 1 FROM assume_role_calls AS d
      WHERE d.mfa = 'no' AND d.pair_id = c.pair_id AND coalesce(d.error_code, '') = ''
        AND d.role_account <> ''))
  )
