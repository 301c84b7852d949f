variable "name" {
  description = "Name prefix, e.g. \"amapiano-prod\"."
  type        = string
}

variable "environment" {
  description = "AMAPIANO_ENVIRONMENT: the Environment dimension of the queue metrics made of the queue_stats log lines (namespace Amapiano)."
  type        = string
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention for the service log groups."
  type        = number

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription)."
  type        = list(string)
  default     = []
}

variable "alb_arn_suffix" {
  description = "ALB ARN suffix (LoadBalancer dimension)."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "API target group ARN suffix (TargetGroup dimension)."
  type        = string
}

variable "ecs_cluster_name" {
  description = "ECS cluster name."
  type        = string
}

variable "api_service_name" {
  description = "ECS API service name."
  type        = string
}

variable "worker_service_name" {
  description = "ECS worker service name."
  type        = string
}

variable "db_instance_identifier" {
  description = "RDS instance identifier."
  type        = string
}

variable "redeploy_state_machine_arn" {
  description = "Step Functions state machine that redeploys the services after a secret rotation (its failed executions raise an alarm)."
  type        = string
}

variable "alb_5xx_rate_threshold_percent" {
  description = "Alarm when target 5xx responses exceed this percentage of requests."
  type        = number
  default     = 1
}

variable "latency_p95_threshold_seconds" {
  description = "Alarm when the p95 target response time exceeds this many seconds."
  type        = number
  default     = 0.5
}

variable "api_cpu_threshold_percent" {
  description = "Alarm when the API service's average CPU exceeds this percentage (autoscaling targets 70)."
  type        = number
  default     = 85
}

variable "queue_age_threshold_seconds" {
  description = "Alarm when the oldest queued job has waited longer than this (OldestQueuedJobAgeSeconds)."
  type        = number
  default     = 300
}

variable "db_free_storage_threshold_gib" {
  description = "Alarm when RDS free storage falls below this many GiB."
  type        = number
  default     = 10
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
