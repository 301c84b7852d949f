output "bucket_name" {
  description = "Assets bucket name (S3_BUCKET)."
  value       = aws_s3_bucket.assets.id
}

output "bucket_arn" {
  description = "Assets bucket ARN."
  value       = aws_s3_bucket.assets.arn
}

output "assets_prefix" {
  description = "Key prefix for the service's objects (S3_PREFIX)."
  value       = var.assets_prefix
}

output "cloudfront_domain_name" {
  description = "CloudFront distribution domain name."
  value       = aws_cloudfront_distribution.assets.domain_name
}

output "cloudfront_url" {
  description = "CLOUDFRONT_URL for the service: https://<distribution domain>."
  value       = "https://${aws_cloudfront_distribution.assets.domain_name}"
}

output "cloudfront_distribution_arn" {
  description = "CloudFront distribution ARN."
  value       = aws_cloudfront_distribution.assets.arn
}

output "cloudfront_distribution_id" {
  description = "CloudFront distribution ID (for invalidations)."
  value       = aws_cloudfront_distribution.assets.id
}

output "ecr_repository_url" {
  description = "ECR repository URL."
  value       = aws_ecr_repository.amapiano.repository_url
}

output "ecr_repository_arn" {
  description = "ECR repository ARN (the execution role may pull from it only)."
  value       = aws_ecr_repository.amapiano.arn
}

# Every IAM-language policy document this module defines, as HCL objects (before jsonencode).
# All of the module's policy attributes are rendered from this map (scripts/check-terraform.sh
# enforces it), so checking these statements checks every policy the module creates.
output "iam_policy_documents" {
  description = "All IAM policy documents of the module (HCL objects), keyed by name."
  value       = local.iam_policies
}

# Read back from the resources, for the env tests and for reviews.
output "bucket_settings" {
  description = "Effective bucket settings: public access block, versioning, encryption, ownership, lifecycle and CORS."
  value = {
    public_access_block = {
      block_public_acls       = aws_s3_bucket_public_access_block.assets.block_public_acls
      block_public_policy     = aws_s3_bucket_public_access_block.assets.block_public_policy
      ignore_public_acls      = aws_s3_bucket_public_access_block.assets.ignore_public_acls
      restrict_public_buckets = aws_s3_bucket_public_access_block.assets.restrict_public_buckets
    }
    versioning_status = one(aws_s3_bucket_versioning.assets.versioning_configuration).status
    sse_algorithms    = [for r in aws_s3_bucket_server_side_encryption_configuration.assets.rule : one(r.apply_server_side_encryption_by_default).sse_algorithm]
    object_ownership  = one(aws_s3_bucket_ownership_controls.assets.rule).object_ownership
    lifecycle_rules   = aws_s3_bucket_lifecycle_configuration.assets.rule
    cors_rules        = aws_s3_bucket_cors_configuration.assets.cors_rule
  }
}

output "cloudfront_settings" {
  description = "Effective CloudFront settings: origins, default cache behavior and the origin access control."
  value = {
    origins                = aws_cloudfront_distribution.assets.origin
    default_cache_behavior = one(aws_cloudfront_distribution.assets.default_cache_behavior)
    cache_policy_id        = aws_cloudfront_cache_policy.assets.id
    origin_access_control = {
      id               = aws_cloudfront_origin_access_control.assets.id
      origin_type      = aws_cloudfront_origin_access_control.assets.origin_access_control_origin_type
      signing_behavior = aws_cloudfront_origin_access_control.assets.signing_behavior
      signing_protocol = aws_cloudfront_origin_access_control.assets.signing_protocol
    }
  }
}

output "ecr_settings" {
  description = "Effective ECR settings."
  value = {
    image_tag_mutability = aws_ecr_repository.amapiano.image_tag_mutability
    scan_on_push         = one(aws_ecr_repository.amapiano.image_scanning_configuration).scan_on_push
    lifecycle_policy     = jsondecode(aws_ecr_lifecycle_policy.amapiano.policy)
  }
}
