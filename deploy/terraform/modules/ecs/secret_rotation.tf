# Redeploy on a database password rotation.
#
# RDS rotates its managed master password (every 7 days by default) and ECS resolves DB_PASSWORD
# only when a task starts. Open connections survive a rotation (PostgreSQL does not end sessions
# when a password changes) but any new one a running task makes - a reconnect after a network
# blip, the job feed's LISTEN connection - would be refused until the task is replaced. So when
# Secrets Manager reports that the master secret rotated, EventBridge starts a Step Functions
# state machine that force-deploys both services: a rolling deployment (API: ALB health checks,
# minimum healthy 100 %) whose new tasks read the new password. No Lambda code: the state machine
# calls ecs:UpdateService through the Step Functions AWS SDK integration.
#
# The event: Secrets Manager's RotationSucceeded, delivered by CloudTrail to the default bus
# (no trail needed) as "AWS Service Event via CloudTrail", with the secret's ARN in
# detail.additionalEventData.SecretId. The same machine is started by hand after changing the
# URL signing key (deploy/RUNBOOK.md, "Rotate the URL signing key").

locals {
  redeploy_name = "${var.name}-redeploy"

  # Built from names (not resource attributes) so that local.iam_policies has no cycle through
  # the services, whose task definitions use the roles.
  api_service_arn             = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:service/${var.name}/${local.api_service_name}"
  worker_service_arn          = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:service/${var.name}/${local.worker_service_name}"
  redeploy_state_machine_arn  = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${local.redeploy_name}"
  db_secret_rotated_rule_name = "${var.name}-db-secret-rotated"
  db_secret_rotated_rule_arn  = "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${local.db_secret_rotated_rule_name}"

  db_secret_rotated_pattern = {
    source        = ["aws.secretsmanager"]
    "detail-type" = ["AWS Service Event via CloudTrail"]
    detail = {
      eventSource         = ["secretsmanager.amazonaws.com"]
      eventName           = ["RotationSucceeded"]
      additionalEventData = { SecretId = [var.db_master_secret_arn] }
    }
  }

  # One Task per service, in parallel; each retried on throttling or a transient ECS error.
  redeploy_service_arns = {
    Api    = local.api_service_arn
    Worker = local.worker_service_arn
  }
  redeploy_definition = {
    Comment = "Force a new deployment of the ${var.name} services so that new tasks read the rotated secrets."
    StartAt = "RedeployServices"
    States = {
      RedeployServices = {
        Type = "Parallel"
        End  = true
        Branches = [for state, service_arn in local.redeploy_service_arns : {
          StartAt = "Redeploy${state}"
          States = {
            "Redeploy${state}" = {
              Type     = "Task"
              Resource = "arn:${local.partition}:states:::aws-sdk:ecs:updateService"
              Parameters = {
                Cluster            = aws_ecs_cluster.this.arn
                Service            = service_arn
                ForceNewDeployment = true
              }
              Retry = [{
                ErrorEquals     = ["States.ALL"]
                IntervalSeconds = 10
                MaxAttempts     = 5
                BackoffRate     = 2
              }]
              End = true
            }
          }
        }]
      }
    }
  }
}

resource "aws_iam_role" "redeploy" {
  name_prefix        = "${var.name}-redeploy-"
  description        = "Step Functions redeploy of ${var.name}: ecs:UpdateService on its two services"
  assume_role_policy = jsonencode(local.iam_policies.redeploy_assume_role)
  tags               = var.tags
}

resource "aws_iam_role_policy" "redeploy" {
  name   = "update-services"
  role   = aws_iam_role.redeploy.id
  policy = jsonencode(local.iam_policies.redeploy)
}

resource "aws_sfn_state_machine" "redeploy" {
  name       = local.redeploy_name
  role_arn   = aws_iam_role.redeploy.arn
  definition = jsonencode(local.redeploy_definition)
  tags       = var.tags

  depends_on = [aws_iam_role_policy.redeploy]
}

resource "aws_iam_role" "rotation_events" {
  name_prefix        = "${var.name}-rotevt-"
  description        = "EventBridge rule of ${var.name}: start the redeploy state machine"
  assume_role_policy = jsonencode(local.iam_policies.rotation_events_assume_role)
  tags               = var.tags
}

resource "aws_iam_role_policy" "rotation_events" {
  name   = "start-redeploy"
  role   = aws_iam_role.rotation_events.id
  policy = jsonencode(local.iam_policies.rotation_events)
}

resource "aws_cloudwatch_event_rule" "db_secret_rotated" {
  name          = local.db_secret_rotated_rule_name
  description   = "The RDS master secret of ${var.name} rotated: redeploy the services"
  event_pattern = jsonencode(local.db_secret_rotated_pattern)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "db_secret_rotated" {
  rule     = aws_cloudwatch_event_rule.db_secret_rotated.name
  arn      = aws_sfn_state_machine.redeploy.arn
  role_arn = aws_iam_role.rotation_events.arn

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 20
  }
}
