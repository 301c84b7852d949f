output "api_log_group_name" {
  description = "API log group name."
  value       = aws_cloudwatch_log_group.api.name
}

output "api_log_group_arn" {
  description = "API log group ARN."
  value       = aws_cloudwatch_log_group.api.arn
}

output "worker_log_group_name" {
  description = "Worker log group name."
  value       = aws_cloudwatch_log_group.worker.name
}

output "worker_log_group_arn" {
  description = "Worker log group ARN."
  value       = aws_cloudwatch_log_group.worker.arn
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = aws_sns_topic.alarms.arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard name."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

# Read back from the resources, for the env tests and for reviews.
output "alarms" {
  description = "Effective alarm settings, keyed by alarm."
  value = {
    for k, a in {
      alb_5xx_rate       = aws_cloudwatch_metric_alarm.alb_5xx_rate
      latency_p95        = aws_cloudwatch_metric_alarm.latency_p95
      no_healthy_targets = aws_cloudwatch_metric_alarm.no_healthy_targets
      api_cpu            = aws_cloudwatch_metric_alarm.api_cpu
      queue_age          = aws_cloudwatch_metric_alarm.queue_age
      db_free_storage    = aws_cloudwatch_metric_alarm.db_free_storage
      redeploy_failed    = aws_cloudwatch_metric_alarm.redeploy_failed
      } : k => {
      namespace           = a.namespace
      metric_name         = a.metric_name
      statistic           = a.statistic
      extended_statistic  = a.extended_statistic
      dimensions          = a.dimensions
      comparison_operator = a.comparison_operator
      threshold           = a.threshold
      metric_queries      = a.metric_query
      alarm_actions       = a.alarm_actions
    }
  }
}

output "dashboard_body" {
  description = "Decoded dashboard body."
  value       = jsondecode(aws_cloudwatch_dashboard.this.dashboard_body)
}

output "log_retention_days" {
  description = "Effective log retention of the two log groups."
  value = {
    api    = aws_cloudwatch_log_group.api.retention_in_days
    worker = aws_cloudwatch_log_group.worker.retention_in_days
  }
}

output "queue_metric_filters" {
  description = "The metric filters that make the queue metrics of the queue_stats log lines, by <log group>-<metric>."
  value = {
    for k, f in aws_cloudwatch_log_metric_filter.queue : k => {
      log_group_name = f.log_group_name
      pattern        = f.pattern
      metric         = one(f.metric_transformation).name
      namespace      = one(f.metric_transformation).namespace
      value          = one(f.metric_transformation).value
      dimensions     = one(f.metric_transformation).dimensions
    }
  }
}
