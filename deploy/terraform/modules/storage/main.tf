# Assets: a private, versioned S3 bucket read by the public only through CloudFront (Origin
# Access Control), plus the ECR repository for the service image.

data "aws_caller_identity" "current" {}

locals {
  bucket_name = coalesce(var.bucket_name, "${var.name}-assets-${data.aws_caller_identity.current.account_id}")
}

# ---------------------------------------------------------------- S3 bucket

resource "aws_s3_bucket" "assets" {
  bucket        = local.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "assets" {
  bucket = aws_s3_bucket.assets.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# ACLs disabled: the bucket owner owns every object.
resource "aws_s3_bucket_ownership_controls" "assets" {
  bucket = aws_s3_bucket.assets.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "assets" {
  bucket = aws_s3_bucket.assets.id

  versioning_configuration {
    status = "Enabled"
  }
}

# SSE-S3 (AES256) rather than SSE-KMS: CloudFront OAC can read it without a KMS key policy, and
# the task role needs no kms:* permissions.
resource "aws_s3_bucket_server_side_encryption_configuration" "assets" {
  bucket = aws_s3_bucket.assets.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "assets" {
  bucket = aws_s3_bucket.assets.id

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"
    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"
    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  rule {
    id     = "transition-to-standard-ia"
    status = "Enabled"
    filter {}

    transition {
      days          = var.standard_ia_transition_days
      storage_class = "STANDARD_IA"
    }
  }

  # Versioning must be on before noncurrent-version rules make sense.
  depends_on = [aws_s3_bucket_versioning.assets]
}

# The studio (browser) fetches audio through CloudFront with Range requests; CloudFront passes
# the CORS request headers through (see the cache policy) and S3 answers with these rules.
resource "aws_s3_bucket_cors_configuration" "assets" {
  bucket = aws_s3_bucket.assets.id

  cors_rule {
    allowed_methods = ["GET", "HEAD"]
    allowed_origins = var.studio_origins
    allowed_headers = ["Range"]
    expose_headers  = ["Content-Range", "Accept-Ranges", "ETag", "Content-Length"]
    max_age_seconds = 3600
  }
}

# Policies are HCL objects in locals, rendered with jsonencode, so tests can inspect the exact
# statements (aws_iam_policy_document would be an opaque mock value under mock_provider).
locals {
  iam_policies = {
    bucket = {
      Version = "2012-10-17"
      Statement = [
        {
          # Only this distribution, through its OAC, may read, and only under the prefix.
          Sid       = "AllowCloudFrontOACRead"
          Effect    = "Allow"
          Principal = { Service = "cloudfront.amazonaws.com" }
          Action    = ["s3:GetObject"]
          Resource  = ["${aws_s3_bucket.assets.arn}/${var.assets_prefix}/*"]
          Condition = {
            StringEquals = { "AWS:SourceArn" = aws_cloudfront_distribution.assets.arn }
          }
        },
        {
          Sid       = "DenyInsecureTransport"
          Effect    = "Deny"
          Principal = "*"
          Action    = ["s3:*"]
          Resource  = [aws_s3_bucket.assets.arn, "${aws_s3_bucket.assets.arn}/*"]
          Condition = {
            Bool = { "aws:SecureTransport" = "false" }
          }
        },
      ]
    }
  }
}

resource "aws_s3_bucket_policy" "assets" {
  bucket = aws_s3_bucket.assets.id
  policy = jsonencode(local.iam_policies.bucket)

  # Applying a policy while the public access block is being created can fail; order them.
  depends_on = [aws_s3_bucket_public_access_block.assets]
}

# ---------------------------------------------------------------- CloudFront

resource "aws_cloudfront_origin_access_control" "assets" {
  name                              = "${var.name}-assets"
  description                       = "CloudFront access to the ${var.name} assets bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

# Objects are immutable content-addressed keys in practice, so cache them long; the CORS
# request headers are part of the cache key so each origin gets its own CORS answer.
resource "aws_cloudfront_cache_policy" "assets" {
  name        = "${var.name}-assets"
  comment     = "amapiano assets: long TTL, CORS headers in the key"
  min_ttl     = 0
  default_ttl = 86400
  max_ttl     = 31536000

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = false
    enable_accept_encoding_brotli = false

    cookies_config {
      cookie_behavior = "none"
    }

    headers_config {
      header_behavior = "whitelist"
      headers {
        items = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]
      }
    }

    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

resource "aws_cloudfront_distribution" "assets" {
  enabled         = true
  is_ipv6_enabled = true
  http_version    = "http2and3"
  comment         = "${var.name} assets"
  price_class     = var.cloudfront_price_class

  # No origin_path: amapiano builds CLOUDFRONT_URL + "/" + <S3_PREFIX>/<key>, i.e. the full key.
  origin {
    origin_id                = "assets-s3"
    domain_name              = aws_s3_bucket.assets.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.assets.id
  }

  default_cache_behavior {
    target_origin_id       = "assets-s3"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD", "OPTIONS"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = aws_cloudfront_cache_policy.assets.id
    compress               = false # audio is already compressed (or is PCM that Range-reads)
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }

  tags = var.tags
}

# ---------------------------------------------------------------- ECR

resource "aws_ecr_repository" "amapiano" {
  name                 = var.ecr_repository_name
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.ecr_force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }

  tags = var.tags
}

locals {
  ecr_lifecycle_policy = {
    rules = [{
      rulePriority = 1
      description  = "Keep the last ${var.ecr_keep_images} images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = var.ecr_keep_images
      }
      action = { type = "expire" }
    }]
  }
}

resource "aws_ecr_lifecycle_policy" "amapiano" {
  repository = aws_ecr_repository.amapiano.name
  policy     = jsonencode(local.ecr_lifecycle_policy)
}
