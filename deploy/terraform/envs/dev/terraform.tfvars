# Example values: replace with the dev account's before a real plan/apply.
region          = "eu-west-1"
certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
domain_name     = null # use the ALB's DNS name
image_tag       = "v0.1.0"
studio_origins  = ["https://studio.dev.amapiano.example.com", "http://localhost:5173"]
alarm_emails    = []
