variable "name" {
  description = "Name prefix, e.g. \"amapiano-prod\" (the target group name adds \"-api\"; AWS limits it to 32 characters)."
  type        = string

  validation {
    condition     = length(var.name) <= 28
    error_message = "name must be at most 28 characters so \"<name>-api\" fits the 32-character target group limit."
  }
}

variable "vpc_id" {
  description = "VPC ID."
  type        = string
}

variable "vpc_cidr_block" {
  description = "VPC CIDR: the ALB may only send traffic to targets inside it."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets (one per AZ) for the ALB."
  type        = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate ARN for the HTTPS listener (same region as the ALB)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)."
  }
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener: TLS 1.3 plus TLS 1.2 with forward-secret ciphers only."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "container_port" {
  description = "Port the API container listens on (amapiano serve PORT)."
  type        = number
  default     = 8080
}

variable "health_check_path" {
  description = "Target group health check path. /readyz answers 200 only when db, storage and engine are ready and 503 while draining, so the ALB stops routing to a draining task."
  type        = string
  default     = "/readyz"
}

variable "drain_seconds" {
  description = "AMAPIANO_DRAIN_SECONDS of the API: the deregistration delay may not be shorter."
  type        = number
  default     = 25
}

variable "deregistration_delay_seconds" {
  description = "How long the ALB keeps a deregistering target for in-flight requests. Must be >= drain_seconds; keep it small (30) so deploys and scale-in stay quick."
  type        = number
  default     = 30

  validation {
    condition     = var.deregistration_delay_seconds >= 0 && var.deregistration_delay_seconds <= 3600
    error_message = "deregistration_delay_seconds must be between 0 and 3600."
  }
}

variable "idle_timeout_seconds" {
  description = "ALB idle timeout. Uploads (up to AMAPIANO_MAX_UPLOAD_MB) keep the connection busy, so 60 s is enough."
  type        = number
  default     = 60
}

variable "deletion_protection" {
  description = "Enable ALB deletion protection (prod)."
  type        = bool
  default     = false
}

variable "access_logs_bucket" {
  description = "Optional S3 bucket for ALB access logs (its policy must allow the regional ELB log delivery). null disables access logs."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
