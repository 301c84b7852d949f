output "service_url" {
  description = "Public URL of the API."
  value       = var.domain_name != null ? "https://${var.domain_name}" : "https://${module.alb.dns_name}"
}

output "alb_dns_name" {
  description = "ALB DNS name (point the domain's record at it)."
  value       = module.alb.dns_name
}

output "cloudfront_domain_name" {
  description = "CloudFront domain serving the assets (CLOUDFRONT_URL is https://<this>)."
  value       = module.storage.cloudfront_domain_name
}

output "assets_bucket_name" {
  description = "Assets bucket (S3_BUCKET)."
  value       = module.storage.bucket_name
}

output "ecr_repository_url" {
  description = "ECR repository to push the amapiano image to."
  value       = module.storage.ecr_repository_url
}

output "rds_endpoint" {
  description = "RDS endpoint (host:port)."
  value       = module.data.endpoint
}

output "db_master_secret_arn" {
  description = "RDS-managed master secret (DB_PASSWORD comes from its \"password\" key)."
  value       = module.data.master_user_secret_arn
}

output "app_secret_name" {
  description = "Secret to put AMAPIANO_URL_SIGNING_KEY into (hex) before the first deploy."
  value       = module.ecs.app_secret_name
}

output "log_group_names" {
  description = "CloudWatch log groups of the two services."
  value = {
    api    = module.observability.api_log_group_name
    worker = module.observability.worker_log_group_name
  }
}

output "ecs_cluster_name" {
  description = "ECS cluster name."
  value       = module.ecs.cluster_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.observability.alarm_topic_arn
}

output "ecs_service_names" {
  description = "ECS service names (for aws ecs update-service / describe-services in deploy/RUNBOOK.md)."
  value = {
    api    = module.ecs.api_service_name
    worker = module.ecs.worker_service_name
  }
}

output "redeploy_state_machine_arn" {
  description = "State machine that force-deploys both services; runs by itself when the RDS master secret rotates (start it by hand after changing the URL signing key)."
  value       = module.ecs.redeploy_state_machine_arn
}
