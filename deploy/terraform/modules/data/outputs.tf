output "address" {
  description = "DB host name (DB_HOST)."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "DB port (DB_PORT)."
  value       = aws_db_instance.this.port
}

output "endpoint" {
  description = "DB endpoint (host:port)."
  value       = aws_db_instance.this.endpoint
}

output "database_name" {
  description = "Database name (DB_NAME)."
  value       = aws_db_instance.this.db_name
}

output "username" {
  description = "Master user name (DB_USER)."
  value       = aws_db_instance.this.username
}

output "identifier" {
  description = "DB instance identifier (the CloudWatch DBInstanceIdentifier dimension)."
  value       = aws_db_instance.this.identifier
}

output "master_user_secret_arn" {
  description = "ARN of the RDS-managed Secrets Manager secret holding {\"username\",\"password\"}."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "security_group_id" {
  description = "DB security group ID."
  value       = aws_security_group.db.id
}

# Read back from the resources, for the env tests and for reviews.
output "instance_settings" {
  description = "Effective RDS settings."
  value = {
    engine                       = aws_db_instance.this.engine
    engine_version               = aws_db_instance.this.engine_version
    instance_class               = aws_db_instance.this.instance_class
    multi_az                     = aws_db_instance.this.multi_az
    storage_encrypted            = aws_db_instance.this.storage_encrypted
    storage_type                 = aws_db_instance.this.storage_type
    allocated_storage            = aws_db_instance.this.allocated_storage
    max_allocated_storage        = aws_db_instance.this.max_allocated_storage
    manage_master_user_password  = aws_db_instance.this.manage_master_user_password
    backup_retention_period      = aws_db_instance.this.backup_retention_period
    deletion_protection          = aws_db_instance.this.deletion_protection
    skip_final_snapshot          = aws_db_instance.this.skip_final_snapshot
    final_snapshot_identifier    = aws_db_instance.this.final_snapshot_identifier
    publicly_accessible          = aws_db_instance.this.publicly_accessible
    performance_insights_enabled = aws_db_instance.this.performance_insights_enabled
    parameters                   = { for p in aws_db_parameter_group.this.parameter : p.name => p.value }
    parameter_group_family       = aws_db_parameter_group.this.family
  }
}

output "ingress_rules" {
  description = "Effective DB security group ingress rules."
  value = [for r in aws_vpc_security_group_ingress_rule.clients : {
    from_port                    = r.from_port
    to_port                      = r.to_port
    ip_protocol                  = r.ip_protocol
    referenced_security_group_id = r.referenced_security_group_id
    cidr_ipv4                    = r.cidr_ipv4
    cidr_ipv6                    = r.cidr_ipv6
    prefix_list_id               = r.prefix_list_id
  }]
}
