# Secrets live in Secrets Manager and reach the API only as ECS container
# `secrets` (resolved by the task execution role at start), never as plain
# environment in the task definition.

resource "aws_secretsmanager_secret" "secret_key" {
  name                    = "${local.name}/api/secret-key"
  description             = "SECRET_KEY: signs the API's access tokens"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "secret_key" {
  secret_id     = aws_secretsmanager_secret.secret_key.id
  secret_string = local.secret_key_value
}

resource "aws_secretsmanager_secret" "database_url" {
  name                    = "${local.name}/api/database-url"
  description             = "DATABASE_URL of the API: postgres://user:password@rds-host:5432/db?sslmode=require"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "database_url" {
  secret_id     = aws_secretsmanager_secret.database_url.id
  secret_string = "postgres://${var.db_username}:${local.db_password}@${aws_db_instance.main.address}:${aws_db_instance.main.port}/${var.db_name}?sslmode=require"
}

# Optional first admin: a JSON secret {"email": ..., "password": ...}.
resource "aws_secretsmanager_secret" "admin" {
  count                   = local.create_admin ? 1 : 0
  name                    = "${local.name}/api/admin"
  description             = "ADMIN_EMAIL and ADMIN_PASSWORD of the first admin"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "admin" {
  count     = local.create_admin ? 1 : 0
  secret_id = aws_secretsmanager_secret.admin[0].id
  secret_string = jsonencode({
    email    = var.admin_email
    password = var.admin_password
  })
}

locals {
  api_secret_arns = concat(
    [aws_secretsmanager_secret.secret_key.arn, aws_secretsmanager_secret.database_url.arn],
    aws_secretsmanager_secret.admin[*].arn,
  )

  api_secrets = concat(
    [
      { name = "SECRET_KEY", valueFrom = aws_secretsmanager_secret.secret_key.arn },
      { name = "DATABASE_URL", valueFrom = aws_secretsmanager_secret.database_url.arn },
    ],
    local.create_admin ? [
      { name = "ADMIN_EMAIL", valueFrom = "${aws_secretsmanager_secret.admin[0].arn}:email::" },
      { name = "ADMIN_PASSWORD", valueFrom = "${aws_secretsmanager_secret.admin[0].arn}:password::" },
    ] : [],
  )
}
