# ECS: one cluster, two services from the same image.
#   api    - `amapiano serve` on Fargate in the private subnets, behind the ALB target group.
#   worker - `amapiano worker` on an EC2 capacity provider (see worker.tf for why not Fargate).
# Both read configuration from the environment and their two secrets from Secrets Manager.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  image = "${var.ecr_repository_url}:${var.image_tag}"

  # The service names, also used to build the service ARNs of the redeploy policy.
  api_service_name    = "${var.name}-api"
  worker_service_name = "${var.name}-worker"

  # ECS stopTimeout: the drain time plus a 5 s margin for the process to exit after draining.
  stop_timeout_seconds = var.drain_seconds + 5

  # Environment shared by both processes. No secret is ever in here.
  common_environment = {
    AMAPIANO_ENVIRONMENT   = var.environment
    AMAPIANO_LOG_LEVEL     = var.log_level
    AMAPIANO_DRAIN_SECONDS = var.drain_seconds
    DB_HOST                = var.db_host
    DB_PORT                = var.db_port
    DB_NAME                = var.db_name
    DB_USER                = var.db_user
    DB_SSLMODE             = var.db_sslmode
    S3_BUCKET              = var.bucket_name
    S3_PREFIX              = var.assets_prefix
    AWS_REGION             = local.region
    CLOUDFRONT_URL         = var.cloudfront_url
  }

  api_environment = merge(local.common_environment, {
    PORT                    = var.container_port
    AMAPIANO_WORKERS        = 0 # serve only; jobs run in the worker service
    AMAPIANO_ASSET_DELIVERY = "redirect"
    AMAPIANO_SECURE_COOKIES = "true" # TLS ends at the ALB, browsers only see https
    AMAPIANO_TRUST_PROXY    = "true" # client address from the ALB's X-Forwarded-For
  })

  worker_environment = merge(local.common_environment, {
    AMAPIANO_WORKERS = var.worker_job_threads
  })

  # Secrets are resolved by the ECS agent with the execution role when a task starts.
  # "<arn>:password::" selects the JSON key "password" of the RDS-managed secret.
  container_secrets = [
    { name = "DB_PASSWORD", valueFrom = "${var.db_master_secret_arn}:password::" },
    { name = "AMAPIANO_URL_SIGNING_KEY", valueFrom = aws_secretsmanager_secret.app.arn },
  ]

  secret_arns = [var.db_master_secret_arn, aws_secretsmanager_secret.app.arn]
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = var.tags
}

# The cluster may place tasks on Fargate (API) and on the worker ASG (worker). Services choose
# explicitly; the default strategy only matters for ad-hoc run-task calls.
resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT", aws_ecs_capacity_provider.worker.name]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
    base              = 0
  }
}

# The URL signing key (hex, >= 16 bytes). Terraform creates the secret but never its value:
#   aws secretsmanager put-secret-value --secret-id <name> --secret-string "$(openssl rand -hex 32)"
resource "aws_secretsmanager_secret" "app" {
  name                    = "${var.name}/app/url-signing-key"
  description             = "AMAPIANO_URL_SIGNING_KEY for ${var.name} (hex). Value managed outside Terraform."
  recovery_window_in_days = var.app_secret_recovery_window_days
  tags                    = var.tags
}

# ------------------------------------------------------------------ security groups

resource "aws_security_group" "api" {
  name_prefix = "${var.name}-api-"
  description = "API tasks of ${var.name}: container port from the ALB only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-api" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "api_from_alb" {
  security_group_id            = aws_security_group.api.id
  description                  = "HTTP from the ALB"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = var.alb_security_group_id
}

resource "aws_security_group" "worker" {
  name_prefix = "${var.name}-worker-"
  description = "Worker tasks of ${var.name}: no inbound traffic"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-worker" })

  lifecycle {
    create_before_destroy = true
  }
}

# Both task groups only need HTTPS out (ECR, S3, Secrets Manager, CloudWatch Logs) and
# PostgreSQL inside the VPC.
locals {
  task_security_groups = {
    api    = aws_security_group.api.id
    worker = aws_security_group.worker.id
  }
}

resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  for_each = local.task_security_groups

  security_group_id = each.value
  description       = "HTTPS to AWS APIs (via NAT or the S3 endpoint)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "tasks_postgres" {
  for_each = local.task_security_groups

  security_group_id = each.value
  description       = "PostgreSQL inside the VPC"
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv4         = var.vpc_cidr_block
}
