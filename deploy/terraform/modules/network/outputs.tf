output "vpc_id" {
  description = "VPC ID."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "VPC CIDR block."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "The AZs the subnets are in."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "Public subnet IDs (ALB, NAT gateways)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnet IDs (ECS tasks, worker instances, RDS)."
  value       = aws_subnet.private[*].id
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs: one per AZ in prod, one shared in dev."
  value       = aws_nat_gateway.this[*].id
}

output "private_route_nat_gateway_ids" {
  description = "For each private route table (one per AZ), the NAT gateway its default route uses."
  value       = aws_route.private_nat[*].nat_gateway_id
}
