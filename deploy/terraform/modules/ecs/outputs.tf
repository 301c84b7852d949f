output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ECS cluster ARN."
  value       = aws_ecs_cluster.this.arn
}

output "api_service_name" {
  description = "API service name."
  value       = aws_ecs_service.api.name
}

output "worker_service_name" {
  description = "Worker service name."
  value       = aws_ecs_service.worker.name
}

output "task_security_group_ids" {
  description = "Security groups of the API and worker tasks (the DB allows 5432 from these)."
  value       = local.task_security_groups
}

output "app_secret_arn" {
  description = "Secrets Manager secret for AMAPIANO_URL_SIGNING_KEY (set its value outside Terraform)."
  value       = aws_secretsmanager_secret.app.arn
}

output "app_secret_name" {
  description = "Name of the app secret."
  value       = aws_secretsmanager_secret.app.name
}

output "execution_role_arn" {
  description = "Task execution role ARN."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "Task role ARN."
  value       = aws_iam_role.task.arn
}

# Every IAM policy document this module defines, as HCL objects (before jsonencode). All of the
# module's policy attributes are rendered from this map (scripts/check-terraform.sh enforces it),
# so checking these statements checks every policy the module creates.
output "iam_policy_documents" {
  description = "All IAM policy documents of the module (HCL objects), keyed by name."
  value       = local.iam_policies
}

# Read back from the resources, for the env tests and for reviews.
output "api" {
  description = "Effective API service settings: task definition, container, service placement and autoscaling."
  value = {
    cpu                      = tonumber(aws_ecs_task_definition.api.cpu)
    memory                   = tonumber(aws_ecs_task_definition.api.memory)
    requires_compatibilities = aws_ecs_task_definition.api.requires_compatibilities
    container                = one(jsondecode(aws_ecs_task_definition.api.container_definitions))
    launch_type              = aws_ecs_service.api.launch_type
    desired_count            = aws_ecs_service.api.desired_count
    load_balancers           = aws_ecs_service.api.load_balancer
    autoscaling = {
      min_capacity    = aws_appautoscaling_target.api.min_capacity
      max_capacity    = aws_appautoscaling_target.api.max_capacity
      policy_type     = aws_appautoscaling_policy.api_cpu.policy_type
      target_tracking = one(aws_appautoscaling_policy.api_cpu.target_tracking_scaling_policy_configuration)
    }
  }
}

output "worker" {
  description = "Effective worker service settings: task definition, container, capacity provider, AMI and autoscaling."
  value = {
    cpu                        = tonumber(aws_ecs_task_definition.worker.cpu)
    memory                     = tonumber(aws_ecs_task_definition.worker.memory)
    requires_compatibilities   = aws_ecs_task_definition.worker.requires_compatibilities
    container                  = one(jsondecode(aws_ecs_task_definition.worker.container_definitions))
    capacity_provider_strategy = aws_ecs_service.worker.capacity_provider_strategy
    capacity_provider = {
      name                   = aws_ecs_capacity_provider.worker.name
      auto_scaling_group_arn = one(aws_ecs_capacity_provider.worker.auto_scaling_group_provider).auto_scaling_group_arn
      managed_scaling        = one(one(aws_ecs_capacity_provider.worker.auto_scaling_group_provider).managed_scaling)
    }
    cluster_capacity_providers = aws_ecs_cluster_capacity_providers.this.capacity_providers
    auto_scaling_group_arn     = aws_autoscaling_group.worker.arn
    instances_distribution     = one(one(aws_autoscaling_group.worker.mixed_instances_policy).instances_distribution)
    instance_types             = [for o in one(one(aws_autoscaling_group.worker.mixed_instances_policy).launch_template).override : o.instance_type]
    ami_ssm_parameter          = data.aws_ssm_parameter.worker_ami.name
    launch_template_image_id   = aws_launch_template.worker.image_id
    ami_from_ssm               = data.aws_ssm_parameter.worker_ami.insecure_value
    autoscaling = {
      min_capacity    = aws_appautoscaling_target.worker.min_capacity
      max_capacity    = aws_appautoscaling_target.worker.max_capacity
      target_tracking = one(aws_appautoscaling_policy.worker_backlog.target_tracking_scaling_policy_configuration)
    }
  }
}

output "cluster_settings" {
  description = "Effective cluster settings (container insights)."
  value       = { for s in aws_ecs_cluster.this.setting : s.name => s.value }
}

output "redeploy_state_machine_arn" {
  description = "Step Functions state machine that force-deploys both services (started when the RDS master secret rotates, or by hand after changing the URL signing key)."
  value       = aws_sfn_state_machine.redeploy.arn
}

output "db_secret_rotation" {
  description = "The EventBridge rule that reacts to a rotation of the RDS master secret, and its target (for the env tests)."
  value = {
    rule_name          = aws_cloudwatch_event_rule.db_secret_rotated.name
    event_pattern      = jsondecode(aws_cloudwatch_event_rule.db_secret_rotated.event_pattern)
    target_arn         = aws_cloudwatch_event_target.db_secret_rotated.arn
    target_role_arn    = aws_cloudwatch_event_target.db_secret_rotated.role_arn
    state_machine_name = aws_sfn_state_machine.redeploy.name
    definition         = jsondecode(aws_sfn_state_machine.redeploy.definition)
    role_arn           = aws_sfn_state_machine.redeploy.role_arn
    redeploy_role_arn  = aws_iam_role.redeploy.arn
    events_role_arn    = aws_iam_role.rotation_events.arn
    service_arns       = [local.api_service_arn, local.worker_service_arn]
  }
}
