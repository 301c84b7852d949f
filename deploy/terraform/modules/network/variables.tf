variable "name" {
  description = "Name prefix for every resource, e.g. \"amapiano-prod\"."
  type        = string
}

variable "cidr_block" {
  description = "VPC CIDR. Public subnets are /24s at its start, private subnets are /20s after them."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.cidr_block)) && tonumber(split("/", var.cidr_block)[1]) <= 16
    error_message = "cidr_block must be a valid IPv4 CIDR of /16 or larger (the subnet maths carves /20s out of it)."
  }
}

variable "az_count" {
  description = "Number of availability zones to span (the plan uses 2)."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be 2 or 3: the ALB and Multi-AZ RDS need at least two zones."
  }
}

variable "nat_gateway_per_az" {
  description = "true: one NAT gateway per AZ (prod: an AZ outage does not cut the other AZ's egress). false: one shared NAT gateway (dev: cheaper)."
  type        = bool
}

variable "enable_s3_gateway_endpoint" {
  description = "Add an S3 gateway VPC endpoint to the private route tables, so S3 traffic skips the NAT gateways (free, and saves NAT data charges)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
