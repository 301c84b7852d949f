# Worker service: `amapiano worker` on an EC2 capacity provider.
#
# Why EC2 and not Fargate (a correction to the original plan): Fargate has no GPUs, and the plan
# wanted the option of GPU workers. The engine itself needs no GPU, so the default is a CPU type
# (c6i/c7i, x86_64) with the standard ECS-optimised AL2023 AMI; choosing a GPU type (g*/p*)
# switches to the ECS GPU-optimised AMI. EC2 also allows Spot with a mixed instances policy,
# which suits batch jobs (they are leased and retried if an instance goes away).

locals {
  worker_instance_types = distinct(concat([var.worker_instance_type], var.worker_extra_instance_types))

  # g4dn, g5, g6, p3, p4d, p5 ... (Graviton GPU types are rejected by the variable validation).
  gpu_instance_type_regex = "^(g|p)[0-9]"
  worker_is_gpu           = can(regex(local.gpu_instance_type_regex, var.worker_instance_type))

  ami_ssm_parameter = (local.worker_is_gpu
    ? "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"
    : "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
  )

  worker_user_data = <<-EOT
    #!/bin/bash
    cat >> /etc/ecs/ecs.config <<'CONFIG'
    ECS_CLUSTER=${var.name}
    ECS_ENABLE_SPOT_INSTANCE_DRAINING=${var.worker_use_spot}
    ECS_AWSVPC_BLOCK_IMDS=true
    ECS_ENABLE_GPU_SUPPORT=${local.worker_is_gpu}
    CONFIG
  EOT
}

data "aws_ssm_parameter" "worker_ami" {
  name = local.ami_ssm_parameter
}

resource "aws_security_group" "worker_instance" {
  name_prefix = "${var.name}-worker-inst-"
  description = "Worker EC2 instances of ${var.name} (ECS agent): no inbound traffic"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-worker-instance" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "worker_instance_https" {
  security_group_id = aws_security_group.worker_instance.id
  description       = "HTTPS to the ECS, ECR and S3 endpoints"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_launch_template" "worker" {
  name_prefix            = "${var.name}-worker-"
  image_id               = data.aws_ssm_parameter.worker_ami.insecure_value
  instance_type          = var.worker_instance_type
  vpc_security_group_ids = [aws_security_group.worker_instance.id]
  user_data              = base64encode(local.worker_user_data)
  update_default_version = true

  iam_instance_profile {
    arn = aws_iam_instance_profile.instance.arn
  }

  # IMDSv2 only. Hop limit 2 keeps the ECS agent container working; task containers cannot reach
  # IMDS at all (ECS_AWSVPC_BLOCK_IMDS) and get credentials from the task role instead.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  monitoring {
    enabled = true
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = 40
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = "${var.name}-worker" })
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = alltrue([for t in local.worker_instance_types : can(regex(local.gpu_instance_type_regex, t)) == local.worker_is_gpu])
      error_message = "worker_extra_instance_types must all be GPU types when worker_instance_type is one, and all non-GPU otherwise (one AMI serves the group)."
    }
  }
}

resource "aws_autoscaling_group" "worker" {
  name_prefix           = "${var.name}-worker-"
  vpc_zone_identifier   = var.private_subnet_ids
  min_size              = 0
  max_size              = var.worker_max_instances
  protect_from_scale_in = true # required by managed termination protection
  capacity_rebalance    = var.worker_use_spot
  health_check_type     = "EC2"

  mixed_instances_policy {
    instances_distribution {
      on_demand_base_capacity                  = 0
      on_demand_percentage_above_base_capacity = var.worker_use_spot ? 0 : 100
      spot_allocation_strategy                 = "price-capacity-optimized"
    }

    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.worker.id
        version            = "$Latest"
      }

      dynamic "override" {
        for_each = local.worker_instance_types
        content {
          instance_type = override.value
        }
      }
    }
  }

  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }

  tag {
    key                 = "Name"
    value               = "${var.name}-worker"
    propagate_at_launch = true
  }

  # The capacity provider's managed scaling owns the desired capacity.
  lifecycle {
    ignore_changes = [desired_capacity]
  }
}

resource "aws_ecs_capacity_provider" "worker" {
  name = "${var.name}-worker"

  auto_scaling_group_provider {
    auto_scaling_group_arn         = aws_autoscaling_group.worker.arn
    managed_termination_protection = "ENABLED"
    managed_draining               = "ENABLED"

    managed_scaling {
      status                    = "ENABLED"
      target_capacity           = 100
      minimum_scaling_step_size = 1
      maximum_scaling_step_size = 5
      instance_warmup_period    = 180
    }
  }

  tags = var.tags
}

locals {
  worker_container = merge(
    {
      name        = "worker"
      image       = local.image
      essential   = true
      entryPoint  = ["/usr/local/bin/amapiano"]
      command     = ["worker"]
      stopTimeout = local.stop_timeout_seconds

      environment = [for k in sort(keys(local.worker_environment)) : { name = k, value = tostring(local.worker_environment[k]) }]
      secrets     = local.container_secrets

      # No HTTP port, so no container health check: a hung worker's jobs are re-leased after
      # AMAPIANO_JOB_LEASE_SECONDS and the queue-age alarm fires.
      readonlyRootFilesystem = false

      ulimits = [{ name = "nofile", softLimit = 65536, hardLimit = 65536 }]

      logConfiguration = {
        logDriver = "awslogs"
        options = {
          "awslogs-group"         = var.worker_log_group_name
          "awslogs-region"        = local.region
          "awslogs-stream-prefix" = "worker"
          "mode"                  = "non-blocking"
          "max-buffer-size"       = "25m"
        }
      }
    },
    var.worker_gpus_per_task > 0 ? { resourceRequirements = [{ type = "GPU", value = tostring(var.worker_gpus_per_task) }] } : {},
  )
}

resource "aws_ecs_task_definition" "worker" {
  family                   = "${var.name}-worker"
  requires_compatibilities = ["EC2"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.worker_cpu)
  memory                   = tostring(var.worker_memory)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([local.worker_container])

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.worker_gpus_per_task == 0 || local.worker_is_gpu
      error_message = "worker_gpus_per_task > 0 needs a GPU worker_instance_type."
    }
  }
}

resource "aws_ecs_service" "worker" {
  name                               = local.worker_service_name
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.worker.arn
  desired_count                      = var.worker_autoscaling.min_tasks
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"

  # EC2 capacity provider, not launch_type FARGATE.
  capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.worker.name
    weight            = 1
    base              = 0
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.worker.id]
    assign_public_ip = false
  }

  ordered_placement_strategy {
    type  = "spread"
    field = "attribute:ecs.availability-zone"
  }

  ordered_placement_strategy {
    type  = "binpack"
    field = "memory"
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  tags = var.tags

  lifecycle {
    ignore_changes = [desired_count]
  }

  # The capacity provider must be attached to the cluster before a service can use it.
  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

resource "aws_appautoscaling_target" "worker" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.worker.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.worker_autoscaling.min_tasks
  max_capacity       = var.worker_autoscaling.max_tasks
}

# Queue-depth scaling, as target tracking on "backlog per task" (the AWS pattern for queue
# workers): QueueDepth (Maximum across the processes that report it; they all report the same
# shared queue) divided by the service's running task count. Tracking raw QueueDepth instead
# would keep multiplying the task count while the backlog drains, because target tracking
# assumes the metric falls as capacity grows.
resource "aws_appautoscaling_policy" "worker_backlog" {
  name               = "${var.name}-worker-backlog"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.worker.service_namespace
  resource_id        = aws_appautoscaling_target.worker.resource_id
  scalable_dimension = aws_appautoscaling_target.worker.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.worker_autoscaling.backlog_per_task
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    customized_metric_specification {
      metrics {
        id          = "backlog_per_task"
        label       = "Queued jobs per running worker task"
        expression  = "IF(tasks >= 1, queued / tasks, queued)"
        return_data = true
      }

      metrics {
        id          = "queued"
        label       = "QueueDepth"
        return_data = false
        metric_stat {
          stat = "Maximum"
          metric {
            namespace   = "Amapiano"
            metric_name = "QueueDepth"
            dimensions {
              name  = "Environment"
              value = var.environment
            }
          }
        }
      }

      metrics {
        id          = "tasks"
        label       = "Running worker tasks"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"
            dimensions {
              name  = "ClusterName"
              value = aws_ecs_cluster.this.name
            }
            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.worker.name
            }
          }
        }
      }
    }
  }
}
