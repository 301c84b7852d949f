# amapiano dev: the plan's dev sizing, same modules as prod.
#   API     Fargate 0.5 vCPU / 1 GiB, 1 task, autoscaling 1-10 at 70 % CPU (the plan's bounds)
#   worker  EC2 t3.large on Spot, 1-10 tasks on queue backlog
#   RDS     db.t4g.micro single-AZ, 20 GiB gp3, 1 day of backups, no deletion protection,
#           no final snapshot
#   network two AZs, one shared NAT gateway

locals {
  environment = "dev"
  name        = "amapiano-${local.environment}"

  # Every IAM-language policy document the configuration creates, keyed "<module>.<name>".
  # tests/dev.tftest.hcl checks each statement for wildcard grants.
  iam_policy_documents = merge(
    { for k, v in module.ecs.iam_policy_documents : "ecs.${k}" => v },
    { for k, v in module.storage.iam_policy_documents : "storage.${k}" => v },
  )
  iam_policy_statements = flatten([
    for doc_name, doc in local.iam_policy_documents : [
      for s in doc.Statement : merge(s, { _document = doc_name })
    ]
  ])
}

module "network" {
  source = "../../modules/network"

  name               = local.name
  cidr_block         = var.vpc_cidr
  nat_gateway_per_az = false
}

module "alb" {
  source = "../../modules/alb"

  name                         = local.name
  vpc_id                       = module.network.vpc_id
  vpc_cidr_block               = module.network.vpc_cidr_block
  public_subnet_ids            = module.network.public_subnet_ids
  certificate_arn              = var.certificate_arn
  drain_seconds                = var.drain_seconds
  deregistration_delay_seconds = 30
  deletion_protection          = false
  access_logs_bucket           = var.alb_access_logs_bucket
}

module "storage" {
  source = "../../modules/storage"

  name                               = local.name
  assets_prefix                      = "assets"
  studio_origins                     = var.studio_origins
  noncurrent_version_expiration_days = 7
  ecr_repository_name                = var.ecr_repository_name
  force_destroy                      = true
  ecr_force_delete                   = true
}

module "data" {
  source = "../../modules/data"

  name                      = local.name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  client_security_group_ids = module.ecs.task_security_group_ids
  instance_class            = var.db_instance_class
  allocated_storage_gib     = var.db_allocated_storage_gib
  max_allocated_storage_gib = var.db_max_allocated_storage_gib
  multi_az                  = false
  backup_retention_days     = var.db_backup_retention_days
  deletion_protection       = false
  skip_final_snapshot       = true
}

module "ecs" {
  source = "../../modules/ecs"

  name               = local.name
  environment        = local.environment
  vpc_id             = module.network.vpc_id
  vpc_cidr_block     = module.network.vpc_cidr_block
  private_subnet_ids = module.network.private_subnet_ids

  alb_security_group_id = module.alb.security_group_id
  target_group_arn      = module.alb.target_group_arn

  ecr_repository_url = module.storage.ecr_repository_url
  ecr_repository_arn = module.storage.ecr_repository_arn
  image_tag          = var.image_tag

  drain_seconds = var.drain_seconds
  log_level     = var.log_level

  app_secret_recovery_window_days = 0

  api_cpu           = var.api_cpu
  api_memory        = var.api_memory
  api_desired_count = var.api_desired_count
  api_autoscaling   = var.api_autoscaling

  worker_instance_type        = var.worker_instance_type
  worker_extra_instance_types = var.worker_extra_instance_types
  worker_use_spot             = var.worker_use_spot
  worker_cpu                  = var.worker_cpu
  worker_memory               = var.worker_memory
  worker_job_threads          = var.worker_job_threads
  worker_gpus_per_task        = var.worker_gpus_per_task
  worker_autoscaling          = var.worker_autoscaling
  worker_max_instances        = var.worker_autoscaling.max_tasks

  db_host              = module.data.address
  db_port              = module.data.port
  db_name              = module.data.database_name
  db_user              = module.data.username
  db_master_secret_arn = module.data.master_user_secret_arn

  bucket_name    = module.storage.bucket_name
  bucket_arn     = module.storage.bucket_arn
  assets_prefix  = module.storage.assets_prefix
  cloudfront_url = module.storage.cloudfront_url

  api_log_group_name    = module.observability.api_log_group_name
  api_log_group_arn     = module.observability.api_log_group_arn
  worker_log_group_name = module.observability.worker_log_group_name
  worker_log_group_arn  = module.observability.worker_log_group_arn
}

module "observability" {
  source = "../../modules/observability"

  name               = local.name
  environment        = local.environment
  log_retention_days = var.log_retention_days
  alarm_emails       = var.alarm_emails

  alb_arn_suffix          = module.alb.alb_arn_suffix
  target_group_arn_suffix = module.alb.target_group_arn_suffix
  ecs_cluster_name        = module.ecs.cluster_name
  api_service_name        = module.ecs.api_service_name
  worker_service_name     = module.ecs.worker_service_name
  db_instance_identifier  = module.data.identifier

  redeploy_state_machine_arn = module.ecs.redeploy_state_machine_arn
}
