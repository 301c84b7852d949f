# API service: `amapiano serve` on Fargate, private subnets, behind the ALB.

locals {
  api_container = {
    name        = "api"
    image       = local.image
    essential   = true
    entryPoint  = ["/usr/local/bin/amapiano"]
    command     = ["serve"]
    stopTimeout = local.stop_timeout_seconds

    portMappings = [{ name = "http", containerPort = var.container_port, protocol = "tcp" }]

    environment = [for k in sort(keys(local.api_environment)) : { name = k, value = tostring(local.api_environment[k]) }]
    secrets     = local.container_secrets

    # The image has curl. /healthz is liveness only; readiness (/readyz) is the ALB's job, so a
    # draining task is not killed by its own health check.
    healthCheck = {
      command     = ["CMD-SHELL", "curl -fsS http://127.0.0.1:${var.container_port}/healthz || exit 1"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }

    # The image runs as a non-root user; the root filesystem stays writable for its scratch dir.
    readonlyRootFilesystem = false

    ulimits = [{ name = "nofile", softLimit = 65536, hardLimit = 65536 }]

    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = var.api_log_group_name
        "awslogs-region"        = local.region
        "awslogs-stream-prefix" = "api"
        # Never block the process on CloudWatch: buffer, and drop lines only under extreme load.
        "mode"            = "non-blocking"
        "max-buffer-size" = "25m"
      }
    }
  }
}

resource "aws_ecs_task_definition" "api" {
  family                   = "${var.name}-api"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.api_cpu)
  memory                   = tostring(var.api_memory)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([local.api_container])

  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.stop_timeout_seconds <= 120
      error_message = "stopTimeout (drain_seconds + 5) exceeds Fargate's 120 s maximum."
    }
  }
}

resource "aws_ecs_service" "api" {
  name                               = local.api_service_name
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.api.arn
  desired_count                      = var.api_desired_count
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  health_check_grace_period_seconds  = 60
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.api.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = "api"
    container_port   = var.container_port
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  tags = var.tags

  # Autoscaling owns the task count after creation.
  lifecycle {
    ignore_changes = [desired_count]
  }
}

resource "aws_appautoscaling_target" "api" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.api.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.api_autoscaling.min_capacity
  max_capacity       = var.api_autoscaling.max_capacity
}

resource "aws_appautoscaling_policy" "api_cpu" {
  name               = "${var.name}-api-cpu-${var.api_autoscaling.cpu_target}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.api.service_namespace
  resource_id        = aws_appautoscaling_target.api.resource_id
  scalable_dimension = aws_appautoscaling_target.api.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.api_autoscaling.cpu_target
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
