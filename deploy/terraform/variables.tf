variable "region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "us-east-1"
}

variable "project" {
  description = "Name prefix for every resource (lower-case letters, digits and dashes)."
  type        = string
  default     = "users"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "project must be 2-21 characters of a-z, 0-9 and '-', starting with a letter."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC. Also passed to the API as TRUSTED_PROXIES, since the ALB inside it sets X-Forwarded-For."
  type        = string
  default     = "10.20.0.0/16"
}

variable "image_tag" {
  description = "Image tag (the git commit) that Terraform puts in the task definitions. After the first deploy, CodeBuild registers new task definition revisions itself; see deploy/README.md."
  type        = string
}

variable "certificate_arn" {
  description = "ARN of an ACM certificate for HTTPS on the load balancer. Empty: plain HTTP on port 80 only."
  type        = string
  default     = ""
}

variable "api_cpu" {
  description = "Fargate CPU units for one users-api task."
  type        = number
  default     = 256
}

variable "api_memory" {
  description = "Fargate memory (MiB) for one users-api task."
  type        = number
  default     = 512
}

variable "api_min_count" {
  description = "Minimum number of users-api tasks (autoscaling floor; at least 2 for availability)."
  type        = number
  default     = 2
}

variable "api_max_count" {
  description = "Maximum number of users-api tasks (autoscaling ceiling)."
  type        = number
  default     = 6
}

variable "client_cpu" {
  description = "Fargate CPU units for one client (nginx) task."
  type        = number
  default     = 256
}

variable "client_memory" {
  description = "Fargate memory (MiB) for one client (nginx) task."
  type        = number
  default     = 512
}

variable "client_min_count" {
  description = "Minimum number of client tasks."
  type        = number
  default     = 2
}

variable "client_max_count" {
  description = "Maximum number of client tasks."
  type        = number
  default     = 4
}

variable "cpu_target_percent" {
  description = "Average CPU utilisation that target-tracking autoscaling keeps each service at."
  type        = number
  default     = 60
}

variable "api_requests_per_target" {
  description = "ALB requests per users-api task per minute that target-tracking autoscaling aims for."
  type        = number
  default     = 3000
}

variable "bcrypt_log_rounds" {
  description = "BCRYPT_LOG_ROUNDS for the API (cost of password hashing)."
  type        = number
  default     = 12
}

variable "log_level" {
  description = "LOG_LEVEL for the API (debug, info, warn, error)."
  type        = string
  default     = "info"
}

variable "log_retention_days" {
  description = "How many days CloudWatch keeps the service and build logs."
  type        = number
  default     = 30
}

variable "db_instance_class" {
  description = "RDS instance class for PostgreSQL."
  type        = string
  default     = "db.t4g.micro"
}

variable "db_engine_version" {
  description = "PostgreSQL major version on RDS."
  type        = string
  default     = "16"
}

variable "db_allocated_storage" {
  description = "Initial RDS storage in GiB."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage" {
  description = "Upper bound (GiB) for RDS storage autoscaling."
  type        = number
  default     = 100
}

variable "db_name" {
  description = "Name of the application database."
  type        = string
  default     = "users"
}

variable "db_username" {
  description = "Master user name of the RDS instance (its password is generated and kept in Secrets Manager)."
  type        = string
  default     = "users_app"
}

variable "db_backup_retention_days" {
  description = "Days of automated RDS backups (point-in-time recovery window)."
  type        = number
  default     = 7
}

variable "db_multi_az" {
  description = "Run RDS as Multi-AZ (a standby in the second zone)."
  type        = bool
  default     = false
}

variable "db_deletion_protection" {
  description = "Refuse to delete the RDS instance (turn off only to tear the stack down)."
  type        = bool
  default     = true
}

variable "admin_email" {
  description = "E-mail of the first admin, created (or promoted) at API start-up. Empty: none."
  type        = string
  default     = ""
}

variable "admin_password" {
  description = "Password of the first admin (8-72 bytes). Stored in Secrets Manager; no default. Leave unset for no admin."
  type        = string
  sensitive   = true
  default     = null
}

variable "github_repo_url" {
  description = "HTTPS clone URL of the GitHub repository CodeBuild builds (https://github.com/OWNER/REPO.git)."
  type        = string
}

variable "deploy_branch" {
  description = "Branch whose pushes are deployed; pushes to other branches only run the checks."
  type        = string
  default     = "main"
}

variable "github_token" {
  description = "GitHub personal access token (repo, admin:repo_hook) that CodeBuild uses to create the webhook. Leave unset if the account already has GitHub credentials for CodeBuild."
  type        = string
  sensitive   = true
  default     = null
}

variable "codebuild_compute_type" {
  description = "CodeBuild compute type (the test suite compiles C and runs a browser)."
  type        = string
  default     = "BUILD_GENERAL1_MEDIUM"
}
