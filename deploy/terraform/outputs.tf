output "url" {
  description = "Where the application answers (the load balancer)."
  value       = local.url
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (point a CNAME or alias record here)."
  value       = aws_lb.main.dns_name
}

output "api_repository_url" {
  description = "ECR repository of the users-api image."
  value       = aws_ecr_repository.api.repository_url
}

output "client_repository_url" {
  description = "ECR repository of the client image."
  value       = aws_ecr_repository.client.repository_url
}

output "ecs_cluster" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "ecs_services" {
  description = "Names of the ECS services."
  value       = { api = aws_ecs_service.api.name, client = aws_ecs_service.client.name }
}

output "task_definition_families" {
  description = "Task definition families (for listing revisions to roll back to)."
  value       = { api = aws_ecs_task_definition.api.family, client = aws_ecs_task_definition.client.family }
}

output "log_groups" {
  description = "CloudWatch log groups of the services and the builds."
  value = {
    api       = aws_cloudwatch_log_group.api.name
    client    = aws_cloudwatch_log_group.client.name
    codebuild = aws_cloudwatch_log_group.codebuild.name
  }
}

output "codebuild_projects" {
  description = "CodeBuild projects (checks on every branch, deploy on the deploy branch)."
  value       = { for k, p in aws_codebuild_project.main : k => p.name }
}

output "db_endpoint" {
  description = "RDS endpoint (reachable only from the users-api tasks)."
  value       = aws_db_instance.main.address
}

output "database_url_secret_arn" {
  description = "Secrets Manager ARN holding DATABASE_URL."
  value       = aws_secretsmanager_secret.database_url.arn
}
