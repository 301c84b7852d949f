# Defaults are the dev sizing of the plan; terraform.tfvars holds the account-specific values.

variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-west-1"
}

variable "certificate_arn" {
  description = "ACM certificate ARN (in var.region) for the ALB's HTTPS listener."
  type        = string
}

variable "domain_name" {
  description = "Public host name of the API (a DNS record to the ALB is managed outside this config). null: use the ALB's DNS name."
  type        = string
  default     = null
}

variable "image_tag" {
  description = "amapiano image tag in ECR to deploy."
  type        = string
}

variable "studio_origins" {
  description = "Browser origins of the studio, allowed by the assets bucket's CORS rules."
  type        = list(string)
}

variable "alarm_emails" {
  description = "E-mail addresses for the alarm SNS topic."
  type        = list(string)
  default     = []
}

variable "vpc_cidr" {
  description = "VPC CIDR."
  type        = string
  default     = "10.30.0.0/16"
}

variable "drain_seconds" {
  description = "AMAPIANO_DRAIN_SECONDS (ECS stopTimeout = this + 5, at most 120)."
  type        = number
  default     = 25

  validation {
    condition     = var.drain_seconds >= 0 && var.drain_seconds <= 115
    error_message = "drain_seconds must be 0-115 (stopTimeout = drain + 5 may not exceed 120 s on Fargate)."
  }
}

variable "api_cpu" {
  description = "API task CPU units."
  type        = number
  default     = 512 # 0.5 vCPU
}

variable "api_memory" {
  description = "API task memory (MiB)."
  type        = number
  default     = 1024 # 1 GiB
}

variable "api_desired_count" {
  description = "Initial API task count."
  type        = number
  default     = 1
}

variable "api_autoscaling" {
  description = "API autoscaling bounds and target CPU %."
  type = object({
    min_capacity = number
    max_capacity = number
    cpu_target   = number
  })
  default = {
    min_capacity = 1
    max_capacity = 10
    cpu_target   = 70
  }

  validation {
    condition     = var.api_autoscaling.min_capacity >= 1 && var.api_autoscaling.max_capacity >= var.api_autoscaling.min_capacity
    error_message = "api_autoscaling needs 1 <= min_capacity <= max_capacity."
  }
}

variable "worker_instance_type" {
  description = "Worker EC2 instance type. A GPU type such as g4dn.xlarge selects the ECS GPU AMI."
  type        = string
  default     = "t3.large"
}

variable "worker_extra_instance_types" {
  description = "More worker instance types for the mixed instances policy."
  type        = list(string)
  default     = ["t3a.large", "m6i.large"]
}

variable "worker_use_spot" {
  description = "Run the worker instances on Spot."
  type        = bool
  default     = true
}

variable "worker_cpu" {
  description = "Worker task CPU units (t3.large has 2048; the rest is left for the agent)."
  type        = number
  default     = 1792
}

variable "worker_memory" {
  description = "Worker task memory in MiB (t3.large has 8 GiB)."
  type        = number
  default     = 6144
}

variable "worker_job_threads" {
  description = "AMAPIANO_WORKERS of each worker task."
  type        = number
  default     = 2
}

variable "worker_gpus_per_task" {
  description = "GPUs per worker task (0 unless a GPU type is chosen and the engine is built to use it)."
  type        = number
  default     = 0
}

variable "worker_autoscaling" {
  description = "Worker task bounds and the target queued jobs per running task."
  type = object({
    min_tasks        = number
    max_tasks        = number
    backlog_per_task = number
  })
  default = {
    min_tasks        = 1
    max_tasks        = 10
    backlog_per_task = 2
  }

  validation {
    condition     = var.worker_autoscaling.min_tasks >= 0 && var.worker_autoscaling.max_tasks >= var.worker_autoscaling.min_tasks && var.worker_autoscaling.max_tasks >= 1
    error_message = "worker_autoscaling needs 0 <= min_tasks <= max_tasks and max_tasks >= 1."
  }
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.micro"
}

variable "db_allocated_storage_gib" {
  description = "RDS initial storage (GiB, gp3)."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage_gib" {
  description = "RDS storage autoscaling ceiling (GiB)."
  type        = number
  default     = 100
}

variable "db_backup_retention_days" {
  description = "RDS backup retention (days)."
  type        = number
  default     = 1
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention (days)."
  type        = number
  default     = 14
}

variable "log_level" {
  description = "AMAPIANO_LOG_LEVEL."
  type        = string
  default     = "debug"
}

variable "alb_access_logs_bucket" {
  description = "Optional S3 bucket for ALB access logs."
  type        = string
  default     = null
}

variable "ecr_repository_name" {
  description = "ECR repository name (prod and dev are meant for separate accounts; in one account give dev another name)."
  type        = string
  default     = "amapiano"
}
