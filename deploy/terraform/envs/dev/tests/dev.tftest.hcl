# Offline tests of the dev environment: `terraform test` with a mocked AWS provider (no
# credentials, no network). The first run applies the configuration against the mock, so every
# computed attribute has a value; the later runs plan against that state and check the result.
# The modules expose the attributes under test as outputs (read back from the resources).
#
# Run from deploy/terraform/envs/dev:
#   terraform init -backend=false -plugin-dir=/opt/tf-plugins && terraform test

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  certificate_arn = "arn:aws:acm:eu-west-1:111111111111:certificate/11111111-2222-3333-4444-555555555555"
  domain_name     = null
  image_tag       = "v1.2.3"
  studio_origins  = ["https://studio.dev.test.example"]
  alarm_emails    = []
}

run "rds_is_small_single_az_and_disposable" {
  assert {
    condition     = module.data.instance_settings.multi_az == false
    error_message = "dev RDS is single-AZ."
  }
  assert {
    condition = (
      module.data.instance_settings.deletion_protection == false &&
      module.data.instance_settings.skip_final_snapshot == true &&
      module.data.instance_settings.backup_retention_period == 1 &&
      module.data.instance_settings.instance_class == "db.t4g.micro"
    )
    error_message = "dev RDS: db.t4g.micro, 1 day of backups, no deletion protection, no final snapshot."
  }
  assert {
    condition = (
      module.data.instance_settings.storage_encrypted == true &&
      module.data.instance_settings.manage_master_user_password == true &&
      module.data.instance_settings.parameters["rds.force_ssl"] == "1"
    )
    error_message = "dev RDS must still be encrypted, TLS-only, with an RDS-managed master password."
  }
}

run "network_shares_one_nat_gateway" {
  command = plan

  assert {
    condition     = length(module.network.nat_gateway_ids) == 1 && length(module.network.private_subnet_ids) == 2 && length(distinct(module.network.private_route_nat_gateway_ids)) == 1
    error_message = "dev must have two private subnets sharing one NAT gateway."
  }
}

run "api_is_half_a_vcpu_and_autoscales_1_to_10" {
  command = plan

  assert {
    condition     = module.ecs.api.cpu == 512 && module.ecs.api.memory == 1024 && module.ecs.api.desired_count == 1
    error_message = "dev API tasks must be 0.5 vCPU / 1 GiB, 1 desired."
  }
  assert {
    condition = (
      module.ecs.api.autoscaling.min_capacity == 1 && module.ecs.api.autoscaling.max_capacity == 10 &&
      module.ecs.api.autoscaling.target_tracking.target_value == 70 &&
      one(module.ecs.api.autoscaling.target_tracking.predefined_metric_specification).predefined_metric_type == "ECSServiceAverageCPUUtilization"
    )
    error_message = "dev API autoscaling must be 1-10 on ECSServiceAverageCPUUtilization 70."
  }
  assert {
    condition     = module.alb.target_group.health_check.path == "/readyz" && one(module.alb.listeners.http.default_action.redirect).protocol == "HTTPS"
    error_message = "The ALB must health-check /readyz and redirect HTTP to HTTPS."
  }
  assert {
    condition     = output.service_url == "https://mock-0123456789.eu-west-1.elb.amazonaws.com"
    error_message = "Without a domain, service_url must be https://<ALB DNS name>."
  }
}

run "worker_is_spot_t3_large_on_the_ec2_capacity_provider" {
  command = plan

  assert {
    condition = (
      one(module.ecs.worker.capacity_provider_strategy).capacity_provider == module.ecs.worker.capacity_provider.name &&
      !contains(["FARGATE", "FARGATE_SPOT"], one(module.ecs.worker.capacity_provider_strategy).capacity_provider) &&
      toset(module.ecs.worker.requires_compatibilities) == toset(["EC2"])
    )
    error_message = "The worker service must use the EC2 capacity provider."
  }
  assert {
    condition = (
      module.ecs.worker.instance_types[0] == "t3.large" &&
      module.ecs.worker.instances_distribution.on_demand_percentage_above_base_capacity == 0 &&
      module.ecs.worker.instances_distribution.on_demand_base_capacity == 0
    )
    error_message = "dev workers must be t3.large on Spot (0 % on-demand)."
  }
  assert {
    condition     = module.ecs.worker.ami_ssm_parameter == "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
    error_message = "t3.large must use the standard (non-GPU) ECS AMI."
  }
}

run "iam_has_no_wildcard_grants" {
  command = plan

  assert {
    condition     = length(local.iam_policy_documents) >= 10 && length(local.iam_policy_statements) >= 15
    error_message = "Expected the 10 policy documents of the configuration."
  }
  assert {
    condition = alltrue([
      for s in local.iam_policy_statements : !(
        contains(flatten([try(s.Resource, [])]), "*") &&
        anytrue([for a in flatten([try(s.Action, [])]) : a == "*" || endswith(a, ":*")])
      )
    ])
    error_message = "A policy statement grants \"*\" or \"<service>:*\" on resource \"*\"."
  }
  assert {
    condition = alltrue([
      for s in module.ecs.iam_policy_documents.task.Statement :
      alltrue([
        for r in flatten([s.Resource]) :
        r == "${module.storage.bucket_arn}/${module.storage.assets_prefix}/*" ||
        (r == module.storage.bucket_arn && toset(flatten([s.Action])) == toset(["s3:ListBucket"]))
      ])
    ])
    error_message = "The task role may only touch <bucket>/<prefix>/* objects and list the bucket."
  }
}

run "containers_drain_and_read_secrets_from_secrets_manager" {
  command = plan

  assert {
    condition = alltrue([
      for c in [module.ecs.api.container, module.ecs.worker.container] :
      c.stopTimeout >= tonumber(one([for e in c.environment : e.value if e.name == "AMAPIANO_DRAIN_SECONDS"])) + 5 &&
      contains(c.secrets, { name = "DB_PASSWORD", valueFrom = "${module.data.master_user_secret_arn}:password::" }) &&
      !contains([for e in c.environment : e.name], "DB_PASSWORD")
    ])
    error_message = "Containers must stop after drain + 5 s and take DB_PASSWORD from the RDS secret."
  }
  assert {
    condition     = module.alb.target_group.deregistration_delay_seconds >= tonumber(one([for e in module.ecs.api.container.environment : e.value if e.name == "AMAPIANO_DRAIN_SECONDS"]))
    error_message = "The ALB deregistration delay must cover the drain time."
  }
  assert {
    condition     = { for e in module.ecs.api.container.environment : e.name => e.value }["AMAPIANO_ENVIRONMENT"] == "dev"
    error_message = "AMAPIANO_ENVIRONMENT must be dev."
  }
}

run "assets_are_private_and_served_through_oac" {
  command = plan

  assert {
    condition     = alltrue(values(module.storage.bucket_settings.public_access_block))
    error_message = "All four S3 public access block flags must be true."
  }
  assert {
    condition = alltrue([
      for o in module.storage.cloudfront_settings.origins :
      o.origin_access_control_id == module.storage.cloudfront_settings.origin_access_control.id
    ]) && module.storage.cloudfront_settings.origin_access_control.signing_protocol == "sigv4"
    error_message = "CloudFront must read the bucket through the sigv4 OAC."
  }
}

run "rejects_worker_max_below_min" {
  command = plan

  variables {
    worker_autoscaling = {
      min_tasks        = 3
      max_tasks        = 2
      backlog_per_task = 2
    }
  }

  expect_failures = [var.worker_autoscaling]
}
