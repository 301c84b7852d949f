# Example values: replace with the production account's before a real plan/apply.
region          = "eu-west-1"
certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
domain_name     = "api.amapiano.example.com"
image_tag       = "v0.1.0"
studio_origins  = ["https://studio.amapiano.example.com"]
alarm_emails    = ["oncall@amapiano.example.com"]
