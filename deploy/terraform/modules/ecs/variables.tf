variable "name" {
  description = "Name prefix, e.g. \"amapiano-prod\"."
  type        = string
}

variable "environment" {
  description = "AMAPIANO_ENVIRONMENT (prod or dev); also the Environment dimension of the queue metrics (queue_stats log lines)."
  type        = string

  validation {
    condition     = contains(["prod", "dev"], var.environment)
    error_message = "environment must be prod or dev."
  }
}

# ------------------------------------------------------------------ network

variable "vpc_id" {
  description = "VPC ID."
  type        = string
}

variable "vpc_cidr_block" {
  description = "VPC CIDR (tasks may reach PostgreSQL only inside it)."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the tasks and the worker instances."
  type        = list(string)
}

variable "alb_security_group_id" {
  description = "ALB security group: the only source allowed to reach the API container port."
  type        = string
}

variable "target_group_arn" {
  description = "ALB target group of the API service."
  type        = string
}

variable "container_port" {
  description = "API container port (PORT)."
  type        = number
  default     = 8080
}

# ------------------------------------------------------------------ image

variable "ecr_repository_url" {
  description = "ECR repository URL of the amapiano image."
  type        = string
}

variable "ecr_repository_arn" {
  description = "ECR repository ARN (the execution role may pull only from it)."
  type        = string
}

variable "image_tag" {
  description = "Image tag to run (tags are immutable in ECR, so each release has its own)."
  type        = string

  validation {
    condition     = length(var.image_tag) > 0 && var.image_tag != "latest"
    error_message = "image_tag must name a release; \"latest\" cannot be used with immutable tags."
  }
}

# ------------------------------------------------------------------ shutdown

variable "drain_seconds" {
  description = "AMAPIANO_DRAIN_SECONDS: how long the process drains after SIGTERM. ECS stopTimeout is this + 5 s, and Fargate allows at most 120 s."
  type        = number
  default     = 25

  validation {
    condition     = var.drain_seconds >= 0 && var.drain_seconds <= 115 && floor(var.drain_seconds) == var.drain_seconds
    error_message = "drain_seconds must be a whole number 0-115 (stopTimeout = drain + 5 may not exceed 120 s on Fargate)."
  }
}

# ------------------------------------------------------------------ API service

variable "api_cpu" {
  description = "API task CPU units (1024 = 1 vCPU)."
  type        = number
}

variable "api_memory" {
  description = "API task memory in MiB."
  type        = number
}

variable "api_desired_count" {
  description = "Initial number of API tasks (autoscaling owns it afterwards)."
  type        = number
}

variable "api_autoscaling" {
  description = "API service autoscaling: task count bounds and the target average CPU %."
  type = object({
    min_capacity = number
    max_capacity = number
    cpu_target   = number
  })

  validation {
    condition     = var.api_autoscaling.min_capacity >= 1 && var.api_autoscaling.max_capacity >= var.api_autoscaling.min_capacity
    error_message = "api_autoscaling needs 1 <= min_capacity <= max_capacity."
  }

  validation {
    condition     = var.api_autoscaling.cpu_target > 0 && var.api_autoscaling.cpu_target <= 100
    error_message = "api_autoscaling.cpu_target must be a percentage in (0, 100]."
  }
}

# ------------------------------------------------------------------ worker service

variable "worker_instance_type" {
  description = "EC2 instance type of the worker capacity provider. A GPU type (g*/p* families, e.g. g4dn.xlarge) switches to the ECS GPU-optimised AMI. x86_64 only."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.worker_instance_type)) && !can(regex("^[a-z]+[0-9][a-z0-9-]*g[a-z0-9-]*\\.", var.worker_instance_type))
    error_message = "worker_instance_type must be an x86_64 EC2 instance type like c6i.xlarge (Graviton types such as c7g do not match the x86_64 AMI and image)."
  }
}

variable "worker_extra_instance_types" {
  description = "More instance types the worker ASG may use (spot diversification). Must be the same GPU-ness and at least as large as worker_instance_type."
  type        = list(string)
  default     = []
}

variable "worker_use_spot" {
  description = "Run worker instances on Spot (0% on-demand above base) through the ASG mixed instances policy. Jobs are leased and retried, so an interruption only delays them."
  type        = bool
}

variable "worker_cpu" {
  description = "Worker task CPU units; leave room for the ECS agent on the instance."
  type        = number
}

variable "worker_memory" {
  description = "Worker task memory in MiB; leave room for the ECS agent and the OS."
  type        = number
}

variable "worker_job_threads" {
  description = "AMAPIANO_WORKERS of the worker service: jobs run at once per task."
  type        = number

  validation {
    condition     = var.worker_job_threads >= 1 && var.worker_job_threads <= 256
    error_message = "worker_job_threads must be 1-256."
  }
}

variable "worker_gpus_per_task" {
  description = "GPUs reserved per worker task (0: none; the engine does not need a GPU). Needs a GPU worker_instance_type."
  type        = number
  default     = 0
}

variable "worker_autoscaling" {
  description = "Worker service autoscaling: task count bounds and the target queue backlog per running task (QueueDepth / RunningTaskCount)."
  type = object({
    min_tasks        = number
    max_tasks        = number
    backlog_per_task = number
  })

  validation {
    condition     = var.worker_autoscaling.min_tasks >= 0 && var.worker_autoscaling.max_tasks >= var.worker_autoscaling.min_tasks && var.worker_autoscaling.max_tasks >= 1
    error_message = "worker_autoscaling needs 0 <= min_tasks <= max_tasks and max_tasks >= 1."
  }

  validation {
    condition     = var.worker_autoscaling.backlog_per_task > 0
    error_message = "worker_autoscaling.backlog_per_task must be positive."
  }
}

variable "worker_max_instances" {
  description = "Upper bound of the worker Auto Scaling group (managed scaling sizes it between 0 and this)."
  type        = number
}

# ------------------------------------------------------------------ configuration

variable "db_host" {
  description = "DB_HOST."
  type        = string
}

variable "db_port" {
  description = "DB_PORT."
  type        = number
}

variable "db_name" {
  description = "DB_NAME."
  type        = string
}

variable "db_user" {
  description = "DB_USER."
  type        = string
}

variable "db_sslmode" {
  description = "DB_SSLMODE. The parameter group forces TLS, so it must not be disable/allow/prefer."
  type        = string
  default     = "require"

  validation {
    condition     = contains(["require", "verify-ca", "verify-full"], var.db_sslmode)
    error_message = "db_sslmode must be require, verify-ca or verify-full (RDS has rds.force_ssl=1)."
  }
}

variable "db_master_secret_arn" {
  description = "ARN of the RDS-managed master secret (JSON with username and password). DB_PASSWORD reads its \"password\" key."
  type        = string
}

variable "secrets_kms_key_arns" {
  description = "Customer managed KMS keys encrypting the two secrets, if any (the execution role gets kms:Decrypt on them only)."
  type        = list(string)
  default     = []
}

variable "app_secret_recovery_window_days" {
  description = "Recovery window of the app secret on deletion (0 deletes at once: dev)."
  type        = number
  default     = 7
}

variable "bucket_name" {
  description = "S3_BUCKET."
  type        = string
}

variable "bucket_arn" {
  description = "Assets bucket ARN."
  type        = string
}

variable "assets_prefix" {
  description = "S3_PREFIX (no leading or trailing '/'); the task role is limited to <bucket>/<prefix>/*."
  type        = string
}

variable "cloudfront_url" {
  description = "CLOUDFRONT_URL (https://<distribution domain>)."
  type        = string
}

variable "api_log_group_name" {
  description = "CloudWatch log group of the API containers."
  type        = string
}

variable "api_log_group_arn" {
  description = "ARN of the API log group."
  type        = string
}

variable "worker_log_group_name" {
  description = "CloudWatch log group of the worker containers."
  type        = string
}

variable "worker_log_group_arn" {
  description = "ARN of the worker log group."
  type        = string
}

variable "log_level" {
  description = "AMAPIANO_LOG_LEVEL."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be debug, info, warn or error."
  }
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
