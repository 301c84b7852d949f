# Least-privilege IAM. Every policy document is an HCL object in local.iam_policies and is
# rendered with jsonencode, so the env tests can check each statement (under mock_provider an
# aws_iam_policy_document data source would only give a random string).
#
# Replaces the original plan's ecs:*, ec2:*, rds:*, s3:* on "*":
#   execution role - pull from the one ECR repository, write to the two log groups, read the two
#                    secrets (and kms:Decrypt on their CMKs, if any);
#   task role      - S3 object access under <bucket>/<prefix>/ only, and ListBucket limited to
#                    that prefix; nothing else (the app needs no other AWS API);
#   instance role  - what the ECS agent on a worker instance needs, scoped to this cluster;
#   redeploy       - Step Functions: ecs:UpdateService on the two services; EventBridge:
#                    states:StartExecution on that one state machine (secret_rotation.tf).
# The only "*" resources are for actions that support no other (ecr:GetAuthorizationToken,
# ecs:DiscoverPollEndpoint).

locals {
  cluster_arn             = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:cluster/${var.name}"
  container_instances_arn = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:container-instance/${var.name}/*"

  iam_policies = {
    task_assume_role = {
      Version = "2012-10-17"
      Statement = [{
        Sid       = "EcsTasksAssumeRole"
        Effect    = "Allow"
        Principal = { Service = "ecs-tasks.amazonaws.com" }
        Action    = ["sts:AssumeRole"]
        # Confused-deputy guard: only ECS acting for this account.
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:*" }
        }
      }]
    }

    execution = {
      Version = "2012-10-17"
      Statement = concat(
        [
          {
            Sid      = "EcrAuthToken"
            Effect   = "Allow"
            Action   = ["ecr:GetAuthorizationToken"]
            Resource = ["*"] # this action has no resource-level permissions
          },
          {
            Sid      = "EcrPull"
            Effect   = "Allow"
            Action   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
            Resource = [var.ecr_repository_arn]
          },
          {
            Sid    = "Logs"
            Effect = "Allow"
            Action = ["logs:CreateLogStream", "logs:PutLogEvents"]
            Resource = [
              var.api_log_group_arn, "${var.api_log_group_arn}:*",
              var.worker_log_group_arn, "${var.worker_log_group_arn}:*",
            ]
          },
          {
            Sid      = "ReadTaskSecrets"
            Effect   = "Allow"
            Action   = ["secretsmanager:GetSecretValue"]
            Resource = local.secret_arns
          },
        ],
        length(var.secrets_kms_key_arns) == 0 ? [] : [{
          Sid       = "DecryptTaskSecrets"
          Effect    = "Allow"
          Action    = ["kms:Decrypt"]
          Resource  = var.secrets_kms_key_arns
          Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${local.region}.amazonaws.com" } }
        }],
      )
    }

    task = {
      Version = "2012-10-17"
      Statement = [
        {
          Sid    = "AssetObjects"
          Effect = "Allow"
          Action = [
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
          ]
          Resource = ["${var.bucket_arn}/${var.assets_prefix}/*"]
        },
        {
          Sid      = "ListAssetPrefix"
          Effect   = "Allow"
          Action   = ["s3:ListBucket"]
          Resource = [var.bucket_arn]
          Condition = {
            StringLike = { "s3:prefix" = ["${var.assets_prefix}/*"] }
          }
        },
      ]
    }

    instance_assume_role = {
      Version = "2012-10-17"
      Statement = [{
        Sid       = "Ec2AssumeRole"
        Effect    = "Allow"
        Principal = { Service = "ec2.amazonaws.com" }
        Action    = ["sts:AssumeRole"]
      }]
    }

    # The ECS agent's calls (the managed AmazonEC2ContainerServiceforEC2Role uses "*" and
    # ecs:Submit*; this is the same set scoped to the worker cluster). Image pulls and logs use
    # the task execution role, so the instance needs no ECR or Logs access.
    instance = {
      Version = "2012-10-17"
      Statement = [
        {
          Sid    = "EcsAgentCluster"
          Effect = "Allow"
          Action = [
            "ecs:RegisterContainerInstance",
            "ecs:DeregisterContainerInstance",
            "ecs:SubmitContainerStateChange",
            "ecs:SubmitTaskStateChange",
            "ecs:SubmitAttachmentStateChanges",
          ]
          Resource = [local.cluster_arn]
        },
        {
          Sid      = "EcsAgentContainerInstance"
          Effect   = "Allow"
          Action   = ["ecs:Poll", "ecs:StartTelemetrySession", "ecs:UpdateContainerInstancesState"]
          Resource = [local.container_instances_arn]
        },
        {
          Sid      = "EcsAgentDiscover"
          Effect   = "Allow"
          Action   = ["ecs:DiscoverPollEndpoint"]
          Resource = ["*"] # this action has no resource-level permissions
        },
      ]
    }

    # The redeploy after a secret rotation (secret_rotation.tf).
    redeploy_assume_role = {
      Version = "2012-10-17"
      Statement = [{
        Sid       = "StatesAssumeRole"
        Effect    = "Allow"
        Principal = { Service = "states.amazonaws.com" }
        Action    = ["sts:AssumeRole"]
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnLike      = { "aws:SourceArn" = local.redeploy_state_machine_arn }
        }
      }]
    }

    redeploy = {
      Version = "2012-10-17"
      Statement = [{
        Sid      = "ForceNewDeployment"
        Effect   = "Allow"
        Action   = ["ecs:UpdateService"]
        Resource = [local.api_service_arn, local.worker_service_arn]
      }]
    }

    rotation_events_assume_role = {
      Version = "2012-10-17"
      Statement = [{
        Sid       = "EventsAssumeRole"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = ["sts:AssumeRole"]
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnEquals    = { "aws:SourceArn" = local.db_secret_rotated_rule_arn }
        }
      }]
    }

    rotation_events = {
      Version = "2012-10-17"
      Statement = [{
        Sid      = "StartRedeploy"
        Effect   = "Allow"
        Action   = ["states:StartExecution"]
        Resource = [local.redeploy_state_machine_arn]
      }]
    }
  }
}

resource "aws_iam_role" "execution" {
  name_prefix        = "${var.name}-exec-"
  description        = "ECS task execution role of ${var.name}: image pull, logs, the two task secrets"
  assume_role_policy = jsonencode(local.iam_policies.task_assume_role)
  tags               = var.tags
}

resource "aws_iam_role_policy" "execution" {
  name   = "execution"
  role   = aws_iam_role.execution.id
  policy = jsonencode(local.iam_policies.execution)
}

resource "aws_iam_role" "task" {
  name_prefix        = "${var.name}-task-"
  description        = "ECS task role of ${var.name} (api and worker): assets under the S3 prefix only"
  assume_role_policy = jsonencode(local.iam_policies.task_assume_role)
  tags               = var.tags
}

resource "aws_iam_role_policy" "task" {
  name   = "assets"
  role   = aws_iam_role.task.id
  policy = jsonencode(local.iam_policies.task)
}

resource "aws_iam_role" "instance" {
  name_prefix        = "${var.name}-wkr-inst-"
  description        = "Worker EC2 instances of ${var.name}: ECS agent only"
  assume_role_policy = jsonencode(local.iam_policies.instance_assume_role)
  tags               = var.tags
}

resource "aws_iam_role_policy" "instance" {
  name   = "ecs-agent"
  role   = aws_iam_role.instance.id
  policy = jsonencode(local.iam_policies.instance)
}

resource "aws_iam_instance_profile" "instance" {
  name_prefix = "${var.name}-wkr-inst-"
  role        = aws_iam_role.instance.name
  tags        = var.tags
}
