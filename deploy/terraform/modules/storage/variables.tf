variable "name" {
  description = "Name prefix, e.g. \"amapiano-prod\"."
  type        = string
}

variable "bucket_name" {
  description = "Assets bucket name. null: \"<name>-assets-<account id>\" (bucket names are global)."
  type        = string
  default     = null
}

variable "assets_prefix" {
  description = "S3_PREFIX: the key prefix the service stores objects under, without leading or trailing '/' (amapiano rejects both). Objects are at <prefix>/<key>."
  type        = string
  default     = "assets"

  validation {
    condition     = length(var.assets_prefix) > 0 && !startswith(var.assets_prefix, "/") && !endswith(var.assets_prefix, "/") && !strcontains(var.assets_prefix, "*")
    error_message = "assets_prefix must be a non-empty key prefix without a leading or trailing '/' (e.g. \"assets\")."
  }
}

variable "studio_origins" {
  description = "Browser origins (scheme://host[:port]) of the studio front end, allowed by the bucket's CORS rules."
  type        = list(string)

  validation {
    condition     = length(var.studio_origins) > 0 && alltrue([for o in var.studio_origins : can(regex("^https?://[^/*]+$", o))])
    error_message = "studio_origins must list at least one origin like https://studio.example.com (no path, no wildcard)."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Delete noncurrent (overwritten or deleted) object versions after this many days."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "standard_ia_transition_days" {
  description = "Move current objects to STANDARD_IA after this many days (S3 requires at least 30)."
  type        = number
  default     = 30

  validation {
    condition     = var.standard_ia_transition_days >= 30
    error_message = "S3 does not allow a transition to STANDARD_IA before 30 days."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to empty the bucket (dev only)."
  type        = bool
  default     = false
}

variable "cloudfront_price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.cloudfront_price_class)
    error_message = "cloudfront_price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "ecr_repository_name" {
  description = "ECR repository for the amapiano image."
  type        = string
  default     = "amapiano"
}

variable "ecr_keep_images" {
  description = "The ECR lifecycle policy keeps this many most recent images."
  type        = number
  default     = 30
}

variable "ecr_force_delete" {
  description = "Allow terraform destroy to delete the ECR repository with images in it (dev only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
