variable "name" {
  description = "Name prefix, e.g. \"amapiano-prod\" (the DB identifier is \"<name>-db\")."
  type        = string
}

variable "vpc_id" {
  description = "VPC ID."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (at least two AZs) for the DB subnet group."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "RDS needs subnets in at least two AZs."
  }
}

variable "client_security_group_ids" {
  description = "Security groups allowed to connect on 5432, keyed by a static name (e.g. { api = ..., worker = ... }): the ECS task security groups."
  type        = map(string)
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL major (\"15\") or major.minor version. RDS picks the newest minor for a major."
  type        = string
  default     = "15"

  validation {
    condition     = can(regex("^15(\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must be PostgreSQL 15 (\"15\" or \"15.x\"); the parameter group family is postgres15."
  }
}

variable "allocated_storage_gib" {
  description = "Initial gp3 storage in GiB."
  type        = number
  default     = 100
}

variable "max_allocated_storage_gib" {
  description = "Storage autoscaling ceiling in GiB (0 disables autoscaling)."
  type        = number
  default     = 500
}

variable "multi_az" {
  description = "Run a synchronous standby in a second AZ (prod)."
  type        = bool
}

variable "backup_retention_days" {
  description = "Automated backup retention in days (1-35)."
  type        = number

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be 1-35 (0 would disable backups)."
  }
}

variable "deletion_protection" {
  description = "RDS deletion protection (prod)."
  type        = bool
}

variable "skip_final_snapshot" {
  description = "Skip the final snapshot on destroy (dev only; prod keeps one)."
  type        = bool
}

variable "database_name" {
  description = "Database created in the instance (DB_NAME)."
  type        = string
  default     = "amapiano"
}

variable "master_username" {
  description = "Master user name (DB_USER). Its password is managed by RDS in Secrets Manager."
  type        = string
  default     = "amapiano"
}

variable "performance_insights_enabled" {
  description = "Enable Performance Insights (7 days retention is free)."
  type        = bool
  default     = true
}

variable "master_user_secret_kms_key_id" {
  description = "Optional customer managed KMS key for the RDS-managed master secret. null uses aws/secretsmanager (the execution role then needs no kms:Decrypt)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
