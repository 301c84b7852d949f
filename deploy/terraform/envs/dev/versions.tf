terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }

  # Remote state, configured at init time:
  #   terraform init -backend-config=backend.hcl
  # with bucket, key, region and use_lockfile (or dynamodb_table) in backend.hcl.
  # The offline checks run `terraform init -backend=false` and never touch it.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "amapiano"
      Environment = local.environment
      ManagedBy   = "terraform"
    }
  }
}
