# Shared mock values for `terraform test` in envs/*/tests (mock_provider "aws" { source = ... }).
#
# Under mock_provider every computed attribute is a random string, but the AWS provider still
# validates its inputs: anything that takes an ARN needs an ARN-shaped value, the AZ list
# must not be empty, and aws_db_instance.master_user_secret must have one element. The values
# below are fixed, fake (account 111111111111, eu-west-1) and never sent anywhere.

mock_data "aws_availability_zones" {
  defaults = {
    names    = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    zone_ids = ["euw1-az1", "euw1-az2", "euw1-az3"]
  }
}

mock_data "aws_region" {
  defaults = {
    name = "eu-west-1"
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "111111111111"
    arn        = "arn:aws:iam::111111111111:user/terraform-test"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition  = "aws"
    dns_suffix = "amazonaws.com"
  }
}

# The CPU AMI by default; the GPU test overrides it with another ID.
mock_data "aws_ssm_parameter" {
  defaults = {
    insecure_value = "ami-0c0c0c0c0c0c0c0c0"
    type           = "String"
  }
}

mock_resource "aws_db_instance" {
  defaults = {
    arn        = "arn:aws:rds:eu-west-1:111111111111:db:mock-db"
    address    = "mock-db.abcdefghijkl.eu-west-1.rds.amazonaws.com"
    endpoint   = "mock-db.abcdefghijkl.eu-west-1.rds.amazonaws.com:5432"
    port       = 5432
    identifier = "mock-db"
    master_user_secret = [{
      secret_arn    = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!db-00000000-0000-0000-0000-000000000000-AbCdEf"
      kms_key_id    = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000"
      secret_status = "active"
    }]
  }
}

mock_resource "aws_secretsmanager_secret" {
  defaults = {
    arn = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:mock-app-secret-GhIjKl"
  }
}

mock_resource "aws_s3_bucket" {
  defaults = {
    arn                         = "arn:aws:s3:::mock-assets-bucket"
    bucket_regional_domain_name = "mock-assets-bucket.s3.eu-west-1.amazonaws.com"
  }
}

mock_resource "aws_cloudfront_distribution" {
  defaults = {
    arn         = "arn:aws:cloudfront::111111111111:distribution/EMOCKDISTRIB0"
    id          = "EMOCKDISTRIB0"
    domain_name = "dmock0000000000.cloudfront.net"
  }
}

mock_resource "aws_cloudfront_origin_access_control" {
  defaults = {
    id = "EMOCKOAC00000"
  }
}

mock_resource "aws_ecr_repository" {
  defaults = {
    arn            = "arn:aws:ecr:eu-west-1:111111111111:repository/amapiano"
    repository_url = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/amapiano"
  }
}

mock_resource "aws_lb" {
  defaults = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/mock/0123456789abcdef"
    arn_suffix = "app/mock/0123456789abcdef"
    dns_name   = "mock-0123456789.eu-west-1.elb.amazonaws.com"
  }
}

mock_resource "aws_lb_target_group" {
  defaults = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/mock-api/0123456789abcdef"
    arn_suffix = "targetgroup/mock-api/0123456789abcdef"
  }
}

mock_resource "aws_lb_listener" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/mock/0123456789abcdef/0123456789abcdef"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::111111111111:role/mock-role"
  }
}

mock_resource "aws_iam_instance_profile" {
  defaults = {
    arn = "arn:aws:iam::111111111111:instance-profile/mock-profile"
  }
}

mock_resource "aws_autoscaling_group" {
  defaults = {
    arn = "arn:aws:autoscaling:eu-west-1:111111111111:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/mock-worker"
  }
}

mock_resource "aws_ecs_cluster" {
  defaults = {
    arn = "arn:aws:ecs:eu-west-1:111111111111:cluster/mock"
  }
}

mock_resource "aws_ecs_task_definition" {
  defaults = {
    arn = "arn:aws:ecs:eu-west-1:111111111111:task-definition/mock:1"
  }
}

mock_resource "aws_ecs_capacity_provider" {
  defaults = {
    arn = "arn:aws:ecs:eu-west-1:111111111111:capacity-provider/mock-worker"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:eu-west-1:111111111111:log-group:mock"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:eu-west-1:111111111111:mock-alarms"
  }
}

mock_resource "aws_launch_template" {
  defaults = {
    arn            = "arn:aws:ec2:eu-west-1:111111111111:launch-template/lt-0123456789abcdef0"
    id             = "lt-0123456789abcdef0"
    latest_version = 1
  }
}

mock_resource "aws_sfn_state_machine" {
  defaults = {
    arn = "arn:aws:states:eu-west-1:111111111111:stateMachine:mock-redeploy"
  }
}

mock_resource "aws_cloudwatch_event_rule" {
  defaults = {
    arn = "arn:aws:events:eu-west-1:111111111111:rule/mock-db-secret-rotated"
  }
}
