locals {
  name       = var.project
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  azs        = slice(data.aws_availability_zones.available.names, 0, 2)

  api_port    = 5000
  client_port = 8080

  # Paths the load balancer sends to users-api; everything else goes to the
  # client. deploy/tests/check-terraform.mjs compares them with the API's
  # paths (services/users/openapi.json, /work API contract) and with
  # deploy/nginx/front.conf. An ALB rule takes at most 5 values per condition.
  api_path_groups = [
    ["/auth/*", "/users", "/users/*", "/ping", "/health"],
    ["/doc", "/doc/*", "/openapi.json", "/swagger.json"],
  ]

  # /metrics is for operators: answered inside the VPC only, never via the ALB.
  blocked_paths = ["/metrics", "/metrics/*"]

  use_https = var.certificate_arn != ""
  url       = "${local.use_https ? "https" : "http"}://${aws_lb.main.dns_name}"

  create_admin = var.admin_email != "" && var.admin_password != null
}
