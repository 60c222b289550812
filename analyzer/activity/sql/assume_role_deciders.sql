-- ACT-002: per role account and day, the accounts whose copies of the successful role assumptions
-- into it show whether MFA was used (a pass rests on those accounts' evidence too).
SELECT DISTINCT
  role_account,
  account_id,
  event_day
FROM assume_role_calls
WHERE mfa <> 'unknown' AND coalesce(error_code, '') = '' AND role_account <> ''
