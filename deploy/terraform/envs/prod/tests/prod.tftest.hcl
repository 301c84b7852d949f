# Offline tests of the prod environment: `terraform test` with a mocked AWS provider (no
# credentials, no network). The first run applies the configuration against the mock, so every
# computed attribute has a value; the later runs plan against that state and check the result.
# The modules expose the attributes under test as outputs (read back from the resources).
#
# Run from deploy/terraform/envs/prod:
#   terraform init -backend=false -plugin-dir=/opt/tf-plugins && terraform test

mock_provider "aws" {
  source = "../../tests/mocks"
}

# The shared mock gives every IAM role the same ARN; these two get their own, so the test of the
# rotation redeploy can tell which role each resource runs as.
override_resource {
  target = module.ecs.aws_iam_role.redeploy
  values = { arn = "arn:aws:iam::111111111111:role/mock-redeploy" }
}

override_resource {
  target = module.ecs.aws_iam_role.rotation_events
  values = { arn = "arn:aws:iam::111111111111:role/mock-rotation-events" }
}

# Fixed inputs, so the tests do not depend on terraform.tfvars (whose values are examples).
variables {
  certificate_arn = "arn:aws:acm:eu-west-1:111111111111:certificate/11111111-2222-3333-4444-555555555555"
  domain_name     = "api.test.example"
  image_tag       = "v1.2.3"
  studio_origins  = ["https://studio.test.example"]
  alarm_emails    = []
}

run "rds_is_multi_az_encrypted_protected_and_tls_only" {
  assert {
    condition     = module.data.instance_settings.multi_az == true
    error_message = "prod RDS must be Multi-AZ."
  }
  assert {
    condition     = module.data.instance_settings.deletion_protection == true
    error_message = "prod RDS must have deletion protection."
  }
  assert {
    condition     = module.data.instance_settings.storage_encrypted == true
    error_message = "RDS storage must be encrypted."
  }
  assert {
    condition     = module.data.instance_settings.manage_master_user_password == true
    error_message = "The RDS master password must be managed by RDS in Secrets Manager."
  }
  assert {
    condition     = module.data.instance_settings.parameters["rds.force_ssl"] == "1"
    error_message = "The parameter group must set rds.force_ssl=1."
  }
  assert {
    condition     = module.data.instance_settings.engine == "postgres" && startswith(module.data.instance_settings.engine_version, "15") && module.data.instance_settings.parameter_group_family == "postgres15"
    error_message = "RDS must be PostgreSQL 15 with a postgres15 parameter group."
  }
  assert {
    condition     = module.data.instance_settings.skip_final_snapshot == false && module.data.instance_settings.final_snapshot_identifier != null
    error_message = "prod RDS must take a final snapshot on destroy."
  }
  assert {
    condition = (
      module.data.instance_settings.instance_class == "db.r6g.large" &&
      module.data.instance_settings.backup_retention_period == 14 &&
      module.data.instance_settings.allocated_storage == 100 &&
      module.data.instance_settings.max_allocated_storage == 500 &&
      module.data.instance_settings.storage_type == "gp3" &&
      module.data.instance_settings.performance_insights_enabled == true &&
      module.data.instance_settings.publicly_accessible == false
    )
    error_message = "prod RDS sizing must follow the plan (db.r6g.large, 100->500 GiB gp3, 14 days backups, PI on, private)."
  }
  assert {
    condition = (
      toset([for r in module.data.ingress_rules : r.referenced_security_group_id]) == toset(values(module.ecs.task_security_group_ids)) &&
      alltrue([for r in module.data.ingress_rules : r.from_port == 5432 && r.to_port == 5432 && r.ip_protocol == "tcp" && r.cidr_ipv4 == null && r.cidr_ipv6 == null && r.prefix_list_id == null])
    )
    error_message = "The DB security group may only allow 5432 from the ECS task security groups."
  }
}

run "assets_bucket_is_private_versioned_and_cloudfront_only" {
  command = plan

  assert {
    condition = alltrue([
      module.storage.bucket_settings.public_access_block.block_public_acls,
      module.storage.bucket_settings.public_access_block.block_public_policy,
      module.storage.bucket_settings.public_access_block.ignore_public_acls,
      module.storage.bucket_settings.public_access_block.restrict_public_buckets,
    ])
    error_message = "All four S3 public access block flags must be true."
  }
  assert {
    condition     = module.storage.bucket_settings.versioning_status == "Enabled"
    error_message = "Bucket versioning must be Enabled."
  }
  assert {
    condition     = length(module.storage.bucket_settings.sse_algorithms) > 0 && alltrue([for a in module.storage.bucket_settings.sse_algorithms : contains(["AES256", "aws:kms"], a)])
    error_message = "The bucket must have default server-side encryption."
  }
  assert {
    condition     = module.storage.bucket_settings.object_ownership == "BucketOwnerEnforced"
    error_message = "Object ownership must be BucketOwnerEnforced (ACLs disabled)."
  }
  # Every Allow statement of the bucket policy is for the CloudFront service principal, bound to
  # this distribution by aws:SourceArn, and there is at least one.
  assert {
    condition = (
      length([for s in module.storage.iam_policy_documents.bucket.Statement : s if s.Effect == "Allow"]) > 0 &&
      alltrue([
        for s in module.storage.iam_policy_documents.bucket.Statement :
        try(s.Principal.Service, null) == "cloudfront.amazonaws.com" &&
        try(s.Condition.StringEquals["AWS:SourceArn"], null) == module.storage.cloudfront_distribution_arn
        if s.Effect == "Allow"
      ])
    )
    error_message = "The bucket policy may only allow the CloudFront service principal, with AWS:SourceArn = the distribution ARN."
  }
  assert {
    condition = anytrue([
      for s in module.storage.iam_policy_documents.bucket.Statement :
      s.Effect == "Deny" && try(s.Condition.Bool["aws:SecureTransport"], null) == "false" && contains(flatten([s.Action]), "s3:*")
    ])
    error_message = "The bucket policy must deny non-TLS requests (aws:SecureTransport = false)."
  }
  assert {
    condition = alltrue([
      for s in module.storage.iam_policy_documents.bucket.Statement :
      alltrue([for r in flatten([s.Resource]) : startswith(r, "${module.storage.bucket_arn}/${module.storage.assets_prefix}/")])
      if s.Effect == "Allow"
    ])
    error_message = "CloudFront may only read objects under the assets prefix."
  }
  assert {
    condition = (
      anytrue([for r in module.storage.bucket_settings.lifecycle_rules : r.status == "Enabled" && try(one(r.abort_incomplete_multipart_upload).days_after_initiation, 0) == 1]) &&
      anytrue([for r in module.storage.bucket_settings.lifecycle_rules : r.status == "Enabled" && try(one(r.noncurrent_version_expiration).noncurrent_days, 0) > 0]) &&
      anytrue([for r in module.storage.bucket_settings.lifecycle_rules : r.status == "Enabled" && anytrue([for t in r.transition : t.storage_class == "STANDARD_IA" && t.days == 30])])
    )
    error_message = "Lifecycle: abort incomplete multipart uploads after 1 day, expire noncurrent versions, STANDARD_IA after 30 days."
  }
  assert {
    condition = alltrue([
      for c in module.storage.bucket_settings.cors_rules :
      toset(c.allowed_methods) == toset(["GET", "HEAD"]) &&
      contains(c.allowed_headers, "Range") &&
      length(setsubtract(["Content-Range", "Accept-Ranges", "ETag"], c.expose_headers)) == 0 &&
      toset(c.allowed_origins) == toset(["https://studio.test.example"])
    ]) && length(module.storage.bucket_settings.cors_rules) == 1
    error_message = "CORS must allow GET/HEAD with Range from the studio origin and expose Content-Range, Accept-Ranges and ETag."
  }
}

run "cloudfront_reads_s3_through_oac_sigv4" {
  command = plan

  assert {
    condition = length(module.storage.cloudfront_settings.origins) == 1 && alltrue([
      for o in module.storage.cloudfront_settings.origins :
      o.origin_access_control_id != null && o.origin_access_control_id != "" &&
      o.origin_access_control_id == module.storage.cloudfront_settings.origin_access_control.id &&
      (o.origin_path == null || o.origin_path == "")
    ])
    error_message = "The CloudFront origin must use the module's origin access control."
  }
  assert {
    condition = (
      module.storage.cloudfront_settings.origin_access_control.signing_protocol == "sigv4" &&
      module.storage.cloudfront_settings.origin_access_control.signing_behavior == "always" &&
      module.storage.cloudfront_settings.origin_access_control.origin_type == "s3"
    )
    error_message = "The OAC must be sigv4 / always / s3."
  }
  assert {
    condition     = module.storage.cloudfront_settings.default_cache_behavior.viewer_protocol_policy == "redirect-to-https"
    error_message = "CloudFront must redirect HTTP viewers to HTTPS."
  }
  assert {
    condition     = module.storage.cloudfront_settings.default_cache_behavior.cache_policy_id == module.storage.cloudfront_settings.cache_policy_id
    error_message = "The default cache behavior must use the module's cache policy."
  }
  assert {
    condition     = output.cloudfront_domain_name == "dmock0000000000.cloudfront.net"
    error_message = "The cloudfront_domain_name output must be the distribution's domain."
  }
}

run "ecr_repository_is_immutable_scanned_and_pruned" {
  command = plan

  assert {
    condition     = module.storage.ecr_settings.image_tag_mutability == "IMMUTABLE" && module.storage.ecr_settings.scan_on_push == true
    error_message = "ECR must have immutable tags and scan on push."
  }
  assert {
    condition = anytrue([
      for r in module.storage.ecr_settings.lifecycle_policy.rules :
      r.selection.countType == "imageCountMoreThan" && r.selection.countNumber == 30 && r.action.type == "expire"
    ])
    error_message = "The ECR lifecycle policy must keep the last 30 images."
  }
}

run "alb_checks_readyz_and_redirects_http_to_https" {
  command = plan

  assert {
    condition = (
      module.alb.target_group.health_check.path == "/readyz" &&
      module.alb.target_group.health_check.matcher == "200" &&
      module.alb.target_group.health_check.interval == 10 &&
      module.alb.target_group.health_check.healthy_threshold == 2 &&
      module.alb.target_group.health_check.unhealthy_threshold == 3
    )
    error_message = "Target group health check must be /readyz, 200, every 10 s, healthy 2, unhealthy 3."
  }
  assert {
    condition     = module.alb.target_group.target_type == "ip" && module.alb.target_group.port == 8080
    error_message = "The target group must be ip-type on port 8080 (Fargate awsvpc tasks)."
  }
  assert {
    condition = (
      module.alb.listeners.http.port == 80 &&
      module.alb.listeners.http.default_action.type == "redirect" &&
      one(module.alb.listeners.http.default_action.redirect).protocol == "HTTPS" &&
      one(module.alb.listeners.http.default_action.redirect).port == "443" &&
      one(module.alb.listeners.http.default_action.redirect).status_code == "HTTP_301"
    )
    error_message = "The HTTP listener must redirect (301) to HTTPS:443."
  }
  assert {
    condition = (
      module.alb.listeners.https.protocol == "HTTPS" &&
      module.alb.listeners.https.ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06" &&
      module.alb.listeners.https.certificate_arn == var.certificate_arn &&
      module.alb.listeners.https.default_action.target_group_arn == module.alb.target_group_arn
    )
    error_message = "The HTTPS listener must use the TLS 1.3/1.2 policy and the ACM certificate, and forward to the API target group."
  }
  assert {
    condition     = output.service_url == "https://api.test.example"
    error_message = "service_url must be https://<domain_name> when a domain is set."
  }
}

run "api_autoscales_1_to_10_on_70_percent_cpu" {
  command = plan

  assert {
    condition     = module.ecs.api.autoscaling.min_capacity == 1 && module.ecs.api.autoscaling.max_capacity == 10
    error_message = "API autoscaling must be min 1, max 10."
  }
  assert {
    condition = (
      module.ecs.api.autoscaling.policy_type == "TargetTrackingScaling" &&
      module.ecs.api.autoscaling.target_tracking.target_value == 70 &&
      one(module.ecs.api.autoscaling.target_tracking.predefined_metric_specification).predefined_metric_type == "ECSServiceAverageCPUUtilization"
    )
    error_message = "API autoscaling must target-track ECSServiceAverageCPUUtilization at 70."
  }
  assert {
    condition     = module.ecs.api.cpu == 1024 && module.ecs.api.memory == 2048 && module.ecs.api.desired_count == 2
    error_message = "prod API tasks must be 1 vCPU / 2 GiB, 2 desired."
  }
  assert {
    condition     = module.ecs.api.launch_type == "FARGATE" && contains(module.ecs.api.requires_compatibilities, "FARGATE")
    error_message = "The API service must run on Fargate."
  }
  assert {
    condition     = module.ecs.cluster_settings["containerInsights"] == "enabled"
    error_message = "The cluster must have Container Insights (the worker scaling uses its RunningTaskCount)."
  }
}

run "iam_has_no_wildcard_grants" {
  command = plan

  # Guard against a vacuous pass: all ten documents are collected, with their statements.
  assert {
    condition = (
      length(setsubtract([
        "ecs.task_assume_role", "ecs.execution", "ecs.task",
        "ecs.instance_assume_role", "ecs.instance", "storage.bucket",
        "ecs.redeploy_assume_role", "ecs.redeploy", "ecs.rotation_events_assume_role", "ecs.rotation_events",
      ], keys(local.iam_policy_documents))) == 0 &&
      length(local.iam_policy_statements) >= 15
    )
    error_message = "Expected the 10 policy documents of the configuration, got: ${jsonencode(keys(local.iam_policy_documents))}"
  }
  # The spec's rule: no action "*" or "<service>:*" on resource "*".
  assert {
    condition = alltrue([
      for s in local.iam_policy_statements : !(
        contains(flatten([try(s.Resource, [])]), "*") &&
        anytrue([for a in flatten([try(s.Action, [])]) : a == "*" || endswith(a, ":*")])
      )
    ])
    error_message = "A policy statement grants \"*\" or \"<service>:*\" on resource \"*\"."
  }
  # Stricter: resource "*" only for the actions that support nothing else, and no NotAction /
  # NotResource, whose meaning is "everything but".
  assert {
    condition = alltrue([
      for s in local.iam_policy_statements :
      !contains(flatten([try(s.Resource, [])]), "*") ||
      length(setsubtract(flatten([s.Action]), ["ecr:GetAuthorizationToken", "ecs:DiscoverPollEndpoint"])) == 0
    ]) && alltrue([for s in local.iam_policy_statements : !can(s.NotAction) && !can(s.NotResource)])
    error_message = "Only ecr:GetAuthorizationToken and ecs:DiscoverPollEndpoint may use resource \"*\"; NotAction/NotResource are not allowed."
  }
  # The task role: S3 only, objects only under <bucket>/<prefix>/, ListBucket only for that prefix.
  assert {
    condition = alltrue([
      for s in module.ecs.iam_policy_documents.task.Statement :
      s.Effect == "Allow" &&
      alltrue([for a in flatten([s.Action]) : startswith(a, "s3:") && a != "s3:*"]) &&
      alltrue([
        for r in flatten([s.Resource]) :
        r == "${module.storage.bucket_arn}/${module.storage.assets_prefix}/*" ||
        (
          r == module.storage.bucket_arn &&
          toset(flatten([s.Action])) == toset(["s3:ListBucket"]) &&
          alltrue([for p in flatten([try(s.Condition.StringLike["s3:prefix"], "")]) : startswith(p, "${module.storage.assets_prefix}/")])
        )
      ])
    ])
    error_message = "The task role may only touch <bucket>/<prefix>/* objects and list that prefix."
  }
  assert {
    condition = anytrue([
      for s in module.ecs.iam_policy_documents.task.Statement :
      length(setsubtract(["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], flatten([s.Action]))) == 0
    ])
    error_message = "The task role must be able to get, put and delete objects and manage multipart uploads under the prefix."
  }
  # The execution role reads exactly the two secrets.
  assert {
    condition = (
      toset(flatten([
        for s in module.ecs.iam_policy_documents.execution.Statement : flatten([s.Resource])
        if anytrue([for a in flatten([s.Action]) : startswith(a, "secretsmanager:")])
      ])) == toset([module.data.master_user_secret_arn, module.ecs.app_secret_arn]) &&
      alltrue([
        for s in module.ecs.iam_policy_documents.execution.Statement :
        toset(flatten([s.Action])) == toset(["secretsmanager:GetSecretValue"])
        if anytrue([for a in flatten([s.Action]) : startswith(a, "secretsmanager:")])
      ])
    )
    error_message = "The execution role may only GetSecretValue on the RDS master secret and the app secret."
  }
}

# RDS rotates the managed master password; ECS resolves DB_PASSWORD only at task start. The
# rotation must redeploy both services, through roles that can do nothing else.
run "db_secret_rotation_redeploys_both_services" {
  command = plan

  assert {
    condition = (
      module.ecs.db_secret_rotation.event_pattern.source == ["aws.secretsmanager"] &&
      module.ecs.db_secret_rotation.event_pattern["detail-type"] == ["AWS Service Event via CloudTrail"] &&
      module.ecs.db_secret_rotation.event_pattern.detail.eventName == ["RotationSucceeded"] &&
      module.ecs.db_secret_rotation.event_pattern.detail.additionalEventData.SecretId == [module.data.master_user_secret_arn]
    )
    error_message = "The rule must match RotationSucceeded of the RDS master secret: ${jsonencode(module.ecs.db_secret_rotation.event_pattern)}"
  }
  assert {
    condition = (
      module.ecs.db_secret_rotation.target_arn == module.ecs.redeploy_state_machine_arn &&
      module.ecs.db_secret_rotation.target_role_arn == module.ecs.db_secret_rotation.events_role_arn &&
      module.ecs.db_secret_rotation.role_arn == module.ecs.db_secret_rotation.redeploy_role_arn &&
      output.redeploy_state_machine_arn == module.ecs.redeploy_state_machine_arn
    )
    error_message = "The rule must start the redeploy state machine with the events role; the machine must run as the redeploy role."
  }
  # The service ARNs are built from names (for the IAM policy): they must name the real services.
  assert {
    condition = (
      length(module.ecs.db_secret_rotation.service_arns) == 2 &&
      endswith(module.ecs.db_secret_rotation.service_arns[0], ":service/${module.ecs.cluster_name}/${module.ecs.api_service_name}") &&
      endswith(module.ecs.db_secret_rotation.service_arns[1], ":service/${module.ecs.cluster_name}/${module.ecs.worker_service_name}")
    )
    error_message = "The redeploy targets ${jsonencode(module.ecs.db_secret_rotation.service_arns)}, not the api and worker services."
  }
  assert {
    condition = (
      toset(flatten([
        for b in module.ecs.db_secret_rotation.definition.States.RedeployServices.Branches : [
          for st in values(b.States) : st.Parameters.Service
          if endswith(st.Resource, ":states:::aws-sdk:ecs:updateService") && st.Parameters.ForceNewDeployment == true
        ]
      ])) == toset(module.ecs.db_secret_rotation.service_arns)
    )
    error_message = "The state machine must force a new deployment of both services."
  }
  assert {
    condition = (
      module.ecs.iam_policy_documents.redeploy.Statement[0].Action == ["ecs:UpdateService"] &&
      toset(module.ecs.iam_policy_documents.redeploy.Statement[0].Resource) == toset(module.ecs.db_secret_rotation.service_arns) &&
      length(module.ecs.iam_policy_documents.redeploy.Statement) == 1 &&
      module.ecs.iam_policy_documents.rotation_events.Statement[0].Action == ["states:StartExecution"] &&
      length(module.ecs.iam_policy_documents.rotation_events.Statement) == 1 &&
      length(module.ecs.iam_policy_documents.rotation_events.Statement[0].Resource) == 1 &&
      endswith(module.ecs.iam_policy_documents.rotation_events.Statement[0].Resource[0], ":stateMachine:${module.ecs.db_secret_rotation.state_machine_name}") &&
      module.ecs.iam_policy_documents.redeploy_assume_role.Statement[0].Principal.Service == "states.amazonaws.com" &&
      module.ecs.iam_policy_documents.rotation_events_assume_role.Statement[0].Principal.Service == "events.amazonaws.com"
    )
    error_message = "The redeploy role may only UpdateService the two services; the events role may only start that state machine."
  }
  assert {
    condition = (
      module.observability.alarms.redeploy_failed.namespace == "AWS/States" &&
      module.observability.alarms.redeploy_failed.metric_name == "ExecutionsFailed" &&
      module.observability.alarms.redeploy_failed.dimensions["StateMachineArn"] == module.ecs.redeploy_state_machine_arn &&
      module.observability.alarms.redeploy_failed.threshold == 1
    )
    error_message = "A failed redeploy must raise an alarm."
  }
}

run "shutdown_timings_cover_the_drain" {
  command = plan

  assert {
    condition = alltrue([
      for c in [module.ecs.api.container, module.ecs.worker.container] :
      c.stopTimeout >= tonumber(one([for e in c.environment : e.value if e.name == "AMAPIANO_DRAIN_SECONDS"])) + 5 &&
      c.stopTimeout <= 120
    ])
    error_message = "ECS stopTimeout must be >= AMAPIANO_DRAIN_SECONDS + 5 and <= 120 for both containers."
  }
  assert {
    condition = (
      module.alb.target_group.deregistration_delay_seconds >= tonumber(one([for e in module.ecs.api.container.environment : e.value if e.name == "AMAPIANO_DRAIN_SECONDS"])) &&
      module.alb.target_group.deregistration_delay_seconds <= 60
    )
    error_message = "The ALB deregistration delay must be >= the API drain seconds and small."
  }
  assert {
    condition     = module.ecs.api.container.healthCheck.command == ["CMD-SHELL", "curl -fsS http://127.0.0.1:8080/healthz || exit 1"]
    error_message = "The API container health check must curl /healthz."
  }
}

run "containers_get_secrets_from_secrets_manager_only" {
  command = plan

  assert {
    condition = alltrue([
      for c in [module.ecs.api.container, module.ecs.worker.container] :
      contains(c.secrets, { name = "DB_PASSWORD", valueFrom = "${module.data.master_user_secret_arn}:password::" }) &&
      contains(c.secrets, { name = "AMAPIANO_URL_SIGNING_KEY", valueFrom = module.ecs.app_secret_arn }) &&
      alltrue([for s in c.secrets : startswith(s.valueFrom, "arn:aws:secretsmanager:")])
    ])
    error_message = "DB_PASSWORD and AMAPIANO_URL_SIGNING_KEY must come from Secrets Manager ARNs."
  }
  assert {
    condition = alltrue([
      for c in [module.ecs.api.container, module.ecs.worker.container] :
      length(setintersection([for e in c.environment : e.name], ["DB_PASSWORD", "AMAPIANO_URL_SIGNING_KEY", "DATABASE_URL", "AWS_SECRET_ACCESS_KEY"])) == 0
    ])
    error_message = "No secret may be passed as a plain environment variable."
  }
  assert {
    condition = alltrue([
      for c in [module.ecs.api.container, module.ecs.worker.container] :
      c.entryPoint == ["/usr/local/bin/amapiano"] && c.logConfiguration.logDriver == "awslogs"
    ]) && module.ecs.api.container.command == ["serve"] && module.ecs.worker.container.command == ["worker"]
    error_message = "Containers must run /usr/local/bin/amapiano serve|worker and log with awslogs."
  }
  assert {
    condition = (
      { for e in module.ecs.api.container.environment : e.name => e.value }["AMAPIANO_WORKERS"] == "0" &&
      { for e in module.ecs.api.container.environment : e.name => e.value }["AMAPIANO_SECURE_COOKIES"] == "true" &&
      { for e in module.ecs.api.container.environment : e.name => e.value }["AMAPIANO_TRUST_PROXY"] == "true" &&
      { for e in module.ecs.api.container.environment : e.name => e.value }["AMAPIANO_ASSET_DELIVERY"] == "redirect" &&
      { for e in module.ecs.api.container.environment : e.name => e.value }["S3_PREFIX"] == "assets" &&
      { for e in module.ecs.api.container.environment : e.name => e.value }["CLOUDFRONT_URL"] == "https://${output.cloudfront_domain_name}"
    )
    error_message = "The API environment must serve only, trust the ALB, use secure cookies and redirect assets to CloudFront."
  }
}

run "worker_runs_on_the_ec2_capacity_provider" {
  command = plan

  assert {
    condition = (
      length(module.ecs.worker.capacity_provider_strategy) == 1 &&
      one(module.ecs.worker.capacity_provider_strategy).capacity_provider == module.ecs.worker.capacity_provider.name &&
      !contains(["FARGATE", "FARGATE_SPOT"], one(module.ecs.worker.capacity_provider_strategy).capacity_provider)
    )
    error_message = "The worker service must use the EC2 capacity provider, not Fargate."
  }
  assert {
    condition     = toset(module.ecs.worker.requires_compatibilities) == toset(["EC2"])
    error_message = "The worker task definition must be EC2-compatible only."
  }
  assert {
    condition = (
      module.ecs.worker.capacity_provider.auto_scaling_group_arn == module.ecs.worker.auto_scaling_group_arn &&
      module.ecs.worker.capacity_provider.managed_scaling.status == "ENABLED" &&
      contains(module.ecs.worker.cluster_capacity_providers, module.ecs.worker.capacity_provider.name)
    )
    error_message = "The capacity provider must manage the worker ASG with managed scaling and be attached to the cluster."
  }
  assert {
    condition = (
      module.ecs.worker.ami_ssm_parameter == "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id" &&
      module.ecs.worker.launch_template_image_id == "ami-0c0c0c0c0c0c0c0c0"
    )
    error_message = "A CPU instance type must use the standard ECS-optimised AL2023 AMI."
  }
  assert {
    condition     = module.ecs.worker.instance_types[0] == "c6i.xlarge" && module.ecs.worker.instances_distribution.on_demand_percentage_above_base_capacity == 100
    error_message = "prod workers must be on-demand c6i.xlarge by default."
  }
  assert {
    condition = (
      module.ecs.worker.autoscaling.min_capacity == 1 && module.ecs.worker.autoscaling.max_capacity == 10 &&
      contains(flatten([
        for m in one(module.ecs.worker.autoscaling.target_tracking.customized_metric_specification).metrics : [
          for s in m.metric_stat : [for mm in s.metric : "${mm.namespace}/${mm.metric_name}/${s.stat}"]
        ]
      ]), "Amapiano/QueueDepth/Maximum")
    )
    error_message = "Worker autoscaling must be 1-10 tasks and track the Amapiano QueueDepth (Maximum) metric."
  }
}

run "network_has_two_azs_and_a_nat_gateway_per_az" {
  command = plan

  assert {
    condition     = length(module.network.availability_zones) == 2 && length(module.network.private_subnet_ids) == 2 && length(module.network.public_subnet_ids) == 2
    error_message = "The VPC must span two AZs with a public and a private subnet in each."
  }
  assert {
    condition     = length(module.network.nat_gateway_ids) == 2 && length(distinct(module.network.private_route_nat_gateway_ids)) == 2
    error_message = "prod must have one NAT gateway per AZ, each private route table using its own."
  }
}

run "alarms_and_dashboard" {
  command = plan

  assert {
    condition = (
      module.observability.alarms.alb_5xx_rate.threshold == 1 &&
      anytrue([for q in module.observability.alarms.alb_5xx_rate.metric_queries : try(one(q.metric).metric_name, "") == "HTTPCode_Target_5XX_Count"]) &&
      anytrue([for q in module.observability.alarms.alb_5xx_rate.metric_queries : try(one(q.metric).metric_name, "") == "RequestCount"]) &&
      anytrue([for q in module.observability.alarms.alb_5xx_rate.metric_queries : q.return_data == true && strcontains(coalesce(q.expression, "-"), "/")])
    )
    error_message = "The 5xx alarm must be metric math Target 5xx / RequestCount above 1 %."
  }
  assert {
    condition     = module.observability.alarms.latency_p95.extended_statistic == "p95" && module.observability.alarms.latency_p95.threshold == 0.5 && module.observability.alarms.latency_p95.metric_name == "TargetResponseTime"
    error_message = "The latency alarm must be p95 TargetResponseTime above 0.5 s."
  }
  assert {
    condition     = module.observability.alarms.api_cpu.threshold == 85 && module.observability.alarms.api_cpu.namespace == "AWS/ECS"
    error_message = "The API CPU alarm must fire above 85 %."
  }
  assert {
    condition     = module.observability.alarms.queue_age.metric_name == "OldestQueuedJobAgeSeconds" && module.observability.alarms.queue_age.namespace == "Amapiano" && module.observability.alarms.queue_age.threshold == 300 && module.observability.alarms.queue_age.dimensions["Environment"] == "prod"
    error_message = "The queue-age alarm must watch Amapiano OldestQueuedJobAgeSeconds (Environment=prod) above 300 s."
  }
  assert {
    condition = alltrue([
      for group in ["api", "worker"] : alltrue([
        for metric, field in { QueueDepth = "queued", RunningJobs = "running", OldestQueuedJobAgeSeconds = "oldest_queued_age_s" } :
        module.observability.queue_metric_filters["${group}-${metric}"].value == "$.${field}" &&
        module.observability.queue_metric_filters["${group}-${metric}"].namespace == "Amapiano" &&
        module.observability.queue_metric_filters["${group}-${metric}"].dimensions["Environment"] == "$.environment" &&
        module.observability.queue_metric_filters["${group}-${metric}"].log_group_name == output.log_group_names[group] &&
        strcontains(module.observability.queue_metric_filters["${group}-${metric}"].pattern, "$.event = \"queue_stats\"") &&
        strcontains(module.observability.queue_metric_filters["${group}-${metric}"].pattern, "$.environment = \"prod\"")
      ])
    ])
    error_message = "Both log groups must turn the queue_stats lines (queued, running, oldest_queued_age_s) into the Amapiano queue metrics."
  }
  assert {
    condition     = module.observability.alarms.db_free_storage.metric_name == "FreeStorageSpace" && module.observability.alarms.db_free_storage.comparison_operator == "LessThanThreshold"
    error_message = "There must be an RDS FreeStorageSpace alarm."
  }
  assert {
    condition     = alltrue([for a in values(module.observability.alarms) : contains(a.alarm_actions, output.alarm_topic_arn)])
    error_message = "Every alarm must notify the SNS topic."
  }
  assert {
    condition = length(setsubtract(
      ["RequestCount", "TargetResponseTime", "HTTPCode_Target_5XX_Count", "CPUUtilization", "QueueDepth", "FreeStorageSpace"],
      flatten([for w in module.observability.dashboard_body.widgets : [for m in w.properties.metrics : [for x in m : x if can(tostring(x))]]])
    )) == 0
    error_message = "The dashboard must show requests, latency, 5xx, CPU, queue depth and RDS storage."
  }
  assert {
    condition     = output.log_group_names.api == "/ecs/amapiano-prod/api" && output.log_group_names.worker == "/ecs/amapiano-prod/worker" && module.observability.log_retention_days.api == 90
    error_message = "The log groups must be /ecs/amapiano-prod/{api,worker} with 90 days retention."
  }
}

# A GPU instance type switches the worker AMI to the ECS GPU-optimised one.
run "gpu_instance_type_selects_the_gpu_ami" {
  command = plan

  variables {
    worker_instance_type        = "g4dn.xlarge"
    worker_extra_instance_types = []
  }

  override_data {
    target = module.ecs.data.aws_ssm_parameter.worker_ami
    values = {
      insecure_value = "ami-0a0a0a0a0a0a0a0a1"
    }
  }

  assert {
    condition     = module.ecs.worker.ami_ssm_parameter == "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"
    error_message = "A GPU instance type must read the GPU-optimised AMI parameter."
  }
  assert {
    condition     = module.ecs.worker.launch_template_image_id == "ami-0a0a0a0a0a0a0a0a1"
    error_message = "The launch template must use the AMI from that parameter."
  }
  assert {
    condition     = module.ecs.worker.instance_types == ["g4dn.xlarge"]
    error_message = "The worker ASG must launch the chosen GPU type."
  }
}

run "rejects_autoscaling_max_below_min" {
  command = plan

  variables {
    api_autoscaling = {
      min_capacity = 5
      max_capacity = 2
      cpu_target   = 70
    }
  }

  expect_failures = [var.api_autoscaling]
}

run "rejects_drain_beyond_the_fargate_stop_timeout" {
  command = plan

  variables {
    drain_seconds = 118
  }

  expect_failures = [var.drain_seconds]
}
