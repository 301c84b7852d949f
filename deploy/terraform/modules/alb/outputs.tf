output "alb_arn" {
  description = "ALB ARN."
  value       = aws_lb.this.arn
}

output "alb_arn_suffix" {
  description = "ALB ARN suffix (the CloudWatch LoadBalancer dimension)."
  value       = aws_lb.this.arn_suffix
}

output "dns_name" {
  description = "ALB DNS name."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  description = "ALB hosted zone ID (for a Route 53 alias record)."
  value       = aws_lb.this.zone_id
}

output "security_group_id" {
  description = "ALB security group ID (the API tasks allow the container port from it)."
  value       = aws_security_group.alb.id
}

output "target_group_arn" {
  description = "API target group ARN. Depends on the HTTPS listener, so an ECS service using it is created only once the group is attached to the ALB."
  value       = aws_lb_target_group.api.arn
  depends_on  = [aws_lb_listener.https]
}

output "target_group_arn_suffix" {
  description = "API target group ARN suffix (the CloudWatch TargetGroup dimension)."
  value       = aws_lb_target_group.api.arn_suffix
}

output "https_listener_arn" {
  description = "HTTPS listener ARN."
  value       = aws_lb_listener.https.arn
}

# Read back from the resources, for the env tests and for reviews.
output "target_group" {
  description = "Effective target group settings: target type, port, deregistration delay and health check."
  value = {
    target_type                  = aws_lb_target_group.api.target_type
    port                         = aws_lb_target_group.api.port
    protocol                     = aws_lb_target_group.api.protocol
    deregistration_delay_seconds = tonumber(aws_lb_target_group.api.deregistration_delay)
    health_check                 = one(aws_lb_target_group.api.health_check)
  }
}

output "listeners" {
  description = "Effective listener settings: the HTTP listener's default action and the HTTPS listener's TLS policy and action."
  value = {
    http = {
      port           = aws_lb_listener.http.port
      protocol       = aws_lb_listener.http.protocol
      default_action = one(aws_lb_listener.http.default_action)
    }
    https = {
      port            = aws_lb_listener.https.port
      protocol        = aws_lb_listener.https.protocol
      ssl_policy      = aws_lb_listener.https.ssl_policy
      certificate_arn = aws_lb_listener.https.certificate_arn
      default_action  = one(aws_lb_listener.https.default_action)
    }
  }
}
