# Log groups for the two services, their metric filters, the alarm topic, the alarms and one dashboard.
# The service writes one JSON object per line (awslogs driver), and every 60 s a queue_stats line
# (src/jobs/queue_stats_reporter.h):
#   {"event":"queue_stats","environment":"prod","queued":3,"running":2,"oldest_queued_age_s":4.2,...}
# which the metric filters below turn into metrics in namespace "Amapiano", dimension Environment:
# QueueDepth, OldestQueuedJobAgeSeconds, RunningJobs.

data "aws_region" "current" {}

locals {
  metrics_namespace  = "Amapiano"
  metrics_dimensions = { Environment = var.environment }
  # Metric <- field of the queue_stats line. Both services log it (the API tasks always run), so each
  # log group has the filters; alarms and scaling read the Maximum, which the duplicates do not change.
  queue_metrics = {
    QueueDepth                = { field = "queued", unit = "Count" }
    RunningJobs               = { field = "running", unit = "Count" }
    OldestQueuedJobAgeSeconds = { field = "oldest_queued_age_s", unit = "Seconds" }
  }
  log_group_names = {
    api    = aws_cloudwatch_log_group.api.name
    worker = aws_cloudwatch_log_group.worker.name
  }
  alb_dimensions = { LoadBalancer = var.alb_arn_suffix }
  alarm_actions  = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/ecs/${var.name}/api"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "worker" {
  name              = "/ecs/${var.name}/worker"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

# Metric filters work whatever ships the lines (unlike EMF, which needs the CloudWatch agent or a
# header on PutLogEvents that the awslogs driver does not send).
resource "aws_cloudwatch_log_metric_filter" "queue" {
  for_each = {
    for pair in setproduct(keys(local.queue_metrics), keys(local.log_group_names)) :
    "${pair[1]}-${pair[0]}" => { metric = pair[0], group = pair[1] }
  }

  name           = "${var.name}-${each.key}"
  log_group_name = local.log_group_names[each.value.group]
  pattern        = "{ ($.event = \"queue_stats\") && ($.environment = \"${var.environment}\") }"

  metric_transformation {
    name       = each.value.metric
    namespace  = local.metrics_namespace
    value      = "$.${local.queue_metrics[each.value.metric].field}"
    unit       = local.queue_metrics[each.value.metric].unit
    dimensions = { Environment = "$.environment" }
  }
}

resource "aws_sns_topic" "alarms" {
  name = "${var.name}-alarms"
  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# Target 5xx as a share of all requests: 100 * 5xx / requests, over 1-minute periods.
# No traffic gives no data (not an alarm).
resource "aws_cloudwatch_metric_alarm" "alb_5xx_rate" {
  alarm_name          = "${var.name}-alb-target-5xx-rate"
  alarm_description   = "API target 5xx responses above ${var.alb_5xx_rate_threshold_percent}% of requests"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alb_5xx_rate_threshold_percent
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "rate"
    expression  = "IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)"
    label       = "Target 5xx (% of requests)"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = local.alb_dimensions
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = local.alb_dimensions
      period      = 60
      stat        = "Sum"
    }
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "latency_p95" {
  alarm_name          = "${var.name}-alb-latency-p95"
  alarm_description   = "API p95 target response time above ${var.latency_p95_threshold_seconds} s"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = local.alb_dimensions
  extended_statistic  = "p95"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.latency_p95_threshold_seconds
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

# Not in the plan, but the 5xx-rate alarm cannot see an outage where every task is unhealthy
# (the ALB answers 503 itself): alarm when no target is healthy.
resource "aws_cloudwatch_metric_alarm" "no_healthy_targets" {
  alarm_name          = "${var.name}-alb-no-healthy-targets"
  alarm_description   = "No healthy API target behind the ALB"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HealthyHostCount"
  dimensions          = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  statistic           = "Minimum"
  period              = 60
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  evaluation_periods  = 3
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_cpu" {
  alarm_name          = "${var.name}-api-cpu"
  alarm_description   = "API service CPU above ${var.api_cpu_threshold_percent}% (autoscaling should have kept it near 70%: at max capacity?)"
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  dimensions          = { ClusterName = var.ecs_cluster_name, ServiceName = var.api_service_name }
  statistic           = "Average"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.api_cpu_threshold_percent
  evaluation_periods  = 5
  datapoints_to_alarm = 4
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "queue_age" {
  alarm_name          = "${var.name}-queue-oldest-job-age"
  alarm_description   = "Oldest queued job waiting more than ${var.queue_age_threshold_seconds} s (workers stuck or at max capacity)"
  namespace           = local.metrics_namespace
  metric_name         = "OldestQueuedJobAgeSeconds"
  dimensions          = local.metrics_dimensions
  statistic           = "Maximum"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.queue_age_threshold_seconds
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "db_free_storage" {
  alarm_name          = "${var.name}-db-free-storage"
  alarm_description   = "RDS free storage below ${var.db_free_storage_threshold_gib} GiB"
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = var.db_instance_identifier }
  statistic           = "Minimum"
  period              = 300
  comparison_operator = "LessThanThreshold"
  threshold           = var.db_free_storage_threshold_gib * 1024 * 1024 * 1024
  evaluation_periods  = 2
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

# A failed redeploy after a database password rotation leaves tasks that cannot open new
# database connections (see modules/ecs/secret_rotation.tf): page at the first failure.
resource "aws_cloudwatch_metric_alarm" "redeploy_failed" {
  alarm_name          = "${var.name}-redeploy-after-rotation-failed"
  alarm_description   = "The redeploy after a secret rotation failed: running tasks hold the old database password. Run it again (deploy/RUNBOOK.md, incident response)."
  namespace           = "AWS/States"
  metric_name         = "ExecutionsFailed"
  dimensions          = { StateMachineArn = var.redeploy_state_machine_arn }
  statistic           = "Sum"
  period              = 300
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

locals {
  region = data.aws_region.current.name

  dashboard_widgets = [
    {
      type = "metric", x = 0, y = 0, width = 12, height = 6
      properties = {
        title   = "Requests"
        region  = local.region
        stat    = "Sum"
        period  = 60
        metrics = [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", var.alb_arn_suffix]]
      }
    },
    {
      type = "metric", x = 12, y = 0, width = 12, height = 6
      properties = {
        title  = "Latency (target response time)"
        region = local.region
        period = 60
        metrics = [
          ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", var.alb_arn_suffix, { stat = "p50", label = "p50" }],
          ["...", { stat = "p95", label = "p95" }],
          ["...", { stat = "p99", label = "p99" }],
        ]
      }
    },
    {
      type = "metric", x = 0, y = 6, width = 12, height = 6
      properties = {
        title  = "5xx"
        region = local.region
        stat   = "Sum"
        period = 60
        metrics = [
          ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", var.alb_arn_suffix, { label = "target 5xx" }],
          [".", "HTTPCode_ELB_5XX_Count", ".", ".", { label = "ALB 5xx" }],
        ]
      }
    },
    {
      type = "metric", x = 12, y = 6, width = 12, height = 6
      properties = {
        title  = "ECS CPU"
        region = local.region
        stat   = "Average"
        period = 60
        metrics = [
          ["AWS/ECS", "CPUUtilization", "ClusterName", var.ecs_cluster_name, "ServiceName", var.api_service_name, { label = "api" }],
          ["...", var.worker_service_name, { label = "worker" }],
        ]
      }
    },
    {
      type = "metric", x = 0, y = 12, width = 12, height = 6
      properties = {
        title  = "Job queue"
        region = local.region
        stat   = "Maximum"
        period = 60
        metrics = [
          [local.metrics_namespace, "QueueDepth", "Environment", var.environment, { label = "queued jobs" }],
          [".", "RunningJobs", ".", ".", { label = "running jobs" }],
          [".", "OldestQueuedJobAgeSeconds", ".", ".", { label = "oldest queued (s)", yAxis = "right" }],
        ]
      }
    },
    {
      type = "metric", x = 12, y = 12, width = 12, height = 6
      properties = {
        title  = "RDS"
        region = local.region
        period = 300
        metrics = [
          ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", var.db_instance_identifier, { stat = "Average", label = "CPU %" }],
          [".", "FreeStorageSpace", ".", ".", { stat = "Minimum", label = "free storage (bytes)", yAxis = "right" }],
        ]
      }
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
