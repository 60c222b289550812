#!/usr/bin/env bash
# Collect ONE AWS account into a trustmap evidence bundle, with nothing but the AWS CLI.
# Runs as-is in AWS CloudShell. Read-only: describe/get/list calls only, plus
# `iam generate-credential-report` (the report must exist before it can be read).
#
# Usage:   scripts/collect-with-aws-cli.sh [OUT_DIR]          (default OUT_DIR: ./trustmap-bundle)
# Options (environment variables):
#   REGIONS="us-east-1 eu-west-1"   only these regions (default: every region enabled in the account)
#   LOG_BUCKET=name                 the central log bucket, if this account owns it (default: the bucket
#                                   most trails deliver to, when this account owns it)
#   IDENTITY_ACCOUNT=123456789012   recorded in manifest.json
# Then zip OUT_DIR (or several accounts' OUT_DIRs merged) and run `trustmap analyze` on it.
#
# Every failed call leaves <name>.error.json ({"Error": {"Code", "Message"}}) where its output
# would be (or <name>.err with the CLI's message when it names no AWS error code).
set -euo pipefail

OUT="${1:-trustmap-bundle}"
LOG_BUCKET_GIVEN="${LOG_BUCKET:-}"
export AWS_PAGER=""            # never page output (CLI v2)
export AWS_DEFAULT_OUTPUT=json

CALLS="$(mktemp)"     # one line per call: operation|region|file|status|code
STDERR="$(mktemp)"
TRAILS="$(mktemp)"    # trail ARN and bucket, for finding the central bucket
trap 'rm -f "$CALLS" "$STDERR" "$TRAILS"' EXIT
CALL_REGION=""

# json_text TEXT: TEXT as a JSON string body (quotes, backslashes and control characters removed).
json_text() {
  printf '%s' "$1" | tr -d '\042\134' | tr '\n\r\t' '   ' | cut -c1-2000
}

# run FILE SERVICE OPERATION [ARGS...]: save the output as FILE.json, or the failure as FILE.error.json.
run() {
  local file="$1" service="$2" operation="$3"
  shift 3
  local status code="" message
  mkdir -p "$(dirname "$OUT/$file")"
  if aws "$service" "$operation" "$@" >"$OUT/$file.json.tmp" 2>"$STDERR"; then
    [ -s "$OUT/$file.json.tmp" ] || echo '{}' >"$OUT/$file.json.tmp"   # the CLI prints nothing for {}
    mv "$OUT/$file.json.tmp" "$OUT/$file.json"
    rm -f "$OUT/$file.error.json" "$OUT/$file.err"
    status=ok
  else
    rm -f "$OUT/$file.json.tmp" "$OUT/$file.json"
    code="$(sed -n 's/.*An error occurred (\([A-Za-z0-9_.:-]*\)).*/\1/p' "$STDERR" | head -n 1)"
    if [ -n "$code" ]; then
      message="$(grep -m 1 'An error occurred' "$STDERR" |
        sed -E 's/.* operation( \(reached max retries: [0-9]+\))?: //')"
      message="$(json_text "$message")"
      printf '{\n    "Error": {\n        "Code": "%s",\n        "Message": "%s"\n    }\n}\n' \
        "$code" "$message" >"$OUT/$file.error.json"
      rm -f "$OUT/$file.err"
    else
      cp "$STDERR" "$OUT/$file.err"
      code="CliError"
    fi
    status="failed"
    echo "warning: aws $service $operation failed ($code): see $OUT/$file.*" >&2
  fi
  printf '%s|%s|%s|%s|%s\n' "$service:$operation" "$CALL_REGION" "$file.json" "$status" "$code" >>"$CALLS"
}

COLLECTED_AT="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
ACCOUNT="$(aws sts get-caller-identity --query Account --output text)"
CALLER_ARN="$(aws sts get-caller-identity --query Arn --output text)"
PARTITION="$(echo "$CALLER_ARN" | cut -d: -f2)"
A="$ACCOUNT"
mkdir -p "$OUT"
echo "collecting account $ACCOUNT into $OUT" >&2

# --- IAM (global)
run "$A/iam/get-account-authorization-details" iam get-account-authorization-details
run "$A/iam/get-account-password-policy" iam get-account-password-policy
run "$A/iam/get-account-summary" iam get-account-summary
run "$A/iam/list-virtual-mfa-devices" iam list-virtual-mfa-devices
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
  state="$(aws iam generate-credential-report --query State --output text 2>/dev/null || echo FAILED)"
  [ "$state" = "COMPLETE" ] || [ "$state" = "FAILED" ] && break
  sleep 4
done
run "$A/iam/get-credential-report" iam get-credential-report

# --- Regions
run "$A/ec2/describe-regions" ec2 describe-regions
REGIONS_GIVEN="${REGIONS:-}"   # recorded in manifest.json: the enabled regions outside it were not collected
if [ -z "${REGIONS:-}" ]; then
  REGIONS="$(aws ec2 describe-regions --output text \
    --query "Regions[?OptInStatus!='not-opted-in'].RegionName" 2>/dev/null ||
    aws configure get region || echo us-east-1)"
fi

# --- CloudTrail and Config, per region
for R in $REGIONS; do
  CALL_REGION="$R"
  run "$A/$R/cloudtrail/describe-trails" cloudtrail describe-trails --region "$R"
  # Status and selectors of the trails whose home is this region, called by ARN (org and shadow trails too).
  aws cloudtrail describe-trails --region "$R" --output text \
    --query "trailList[].[Name, TrailARN, HomeRegion, S3BucketName]" 2>/dev/null |
    while read -r name arn home bucket; do
      [ -n "$name" ] || continue
      echo "$arn $bucket" >>"$TRAILS"
      [ "$home" = "$R" ] || continue
      run "$A/$R/cloudtrail/get-trail-status/$name" cloudtrail get-trail-status --region "$R" --name "$arn"
      run "$A/$R/cloudtrail/get-event-selectors/$name" cloudtrail get-event-selectors --region "$R" \
        --trail-name "$arn"
    done || true   # describe-trails failed: its error record is already written
  run "$A/$R/config/describe-configuration-recorders" configservice describe-configuration-recorders --region "$R"
  run "$A/$R/config/describe-configuration-recorder-status" configservice \
    describe-configuration-recorder-status --region "$R"
  run "$A/$R/config/describe-delivery-channels" configservice describe-delivery-channels --region "$R"
  run "$A/$R/config/describe-delivery-channel-status" configservice describe-delivery-channel-status --region "$R"
done
CALL_REGION=""

# --- The central log bucket's policy, when this account owns the bucket
if [ -z "${LOG_BUCKET:-}" ]; then
  LOG_BUCKET="$(sort -u "$TRAILS" | awk '$2 != "None" {print $2}' | sort | uniq -c | sort -k1,1nr -k2 |
    awk 'NR == 1 {print $2}')"
fi
if [ -n "$LOG_BUCKET" ]; then
  owned="$(aws s3api list-buckets --query "Buckets[?Name=='$LOG_BUCKET'].Name" --output text 2>/dev/null || true)"
  if [ "$owned" = "$LOG_BUCKET" ]; then
    run "$A/s3/$LOG_BUCKET/get-bucket-policy" s3api get-bucket-policy --bucket "$LOG_BUCKET"
  else
    echo "note: bucket $LOG_BUCKET is not in this account; collect it in the account that owns it" >&2
  fi
fi

# --- manifest.json
{
  printf '{\n    "collected_at": "%s",\n    "partition": "%s",\n' "$COLLECTED_AT" "$PARTITION"
  [ -n "${IDENTITY_ACCOUNT:-}" ] && printf '    "identity_account": "%s",\n' "$IDENTITY_ACCOUNT"
  [ -n "$LOG_BUCKET_GIVEN" ] && printf '    "log_bucket": "%s",\n' "$LOG_BUCKET_GIVEN"
  if [ -n "$REGIONS_GIVEN" ]; then
    printf '    "regions": [%s],\n' "$(printf '%s\n' $REGIONS_GIVEN | sort -u | sed 's/.*/"&"/' | paste -sd, -)"
  fi
  printf '    "tool": {"name": "collect-with-aws-cli.sh", "version": "%s"},\n' \
    "$(json_text "$(aws --version 2>&1)")"
  printf '    "caller": {"Account": "%s", "Arn": "%s"},\n' "$ACCOUNT" "$CALLER_ARN"
  printf '    "calls": [\n'
  sep=""
  while IFS='|' read -r operation region file status code; do
    printf '%s        {"operation": "%s", "account": "%s", ' "$sep" "$operation" "$ACCOUNT"
    if [ -n "$region" ]; then printf '"region": "%s", ' "$region"; else printf '"region": null, '; fi
    printf '"file": "%s", "status": "%s"' "$file" "$status"
    [ "$status" = "failed" ] && printf ', "error": "%s"' "$code"
    printf '}'
    sep=$',\n'
  done <"$CALLS"
  printf '\n    ]\n}\n'
} >"$OUT/manifest.json"

failed="$(grep -c '|failed|' "$CALLS" || true)"
echo "done: $(wc -l <"$CALLS") calls, $failed failed; bundle in $OUT" >&2
