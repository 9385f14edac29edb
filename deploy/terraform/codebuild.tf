# CI/CD with CodeBuild and a GitHub webhook, using deploy/buildspec.yml.
#
# Two projects share the buildspec so that only builds of the deploy branch
# hold deploy rights:
#   - "<project>-checks": every push to any other branch; lint, format and
#     the full test suite. Its role can only write its own logs.
#   - "<project>-deploy": every push to var.deploy_branch; the same checks,
#     then build, push to ECR and roll out new task definitions.

resource "aws_cloudwatch_log_group" "codebuild" {
  name              = "/codebuild/${local.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_codebuild_source_credential" "github" {
  count       = var.github_token == null ? 0 : 1
  auth_type   = "PERSONAL_ACCESS_TOKEN"
  server_type = "GITHUB"
  token       = var.github_token
}

data "aws_iam_policy_document" "codebuild_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["codebuild.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "codebuild_checks" {
  name               = "${local.name}-codebuild-checks"
  description        = "CodeBuild checks on every branch: write build logs only"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume.json
}

resource "aws_iam_role" "codebuild_deploy" {
  name               = "${local.name}-codebuild-deploy"
  description        = "CodeBuild on the deploy branch: push images to ECR and roll out the ECS services"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume.json
}

data "aws_iam_policy_document" "codebuild_checks" {
  statement {
    sid       = "BuildLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.codebuild.arn}:*"]
  }
}

data "aws_iam_policy_document" "codebuild_deploy" {
  source_policy_documents = [data.aws_iam_policy_document.codebuild_checks.json]

  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # no resource-level permissions for this action
  }

  statement {
    sid = "PushImages"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [aws_ecr_repository.api.arn, aws_ecr_repository.client.arn]
  }

  statement {
    sid       = "TaskDefinitions"
    actions   = ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"]
    resources = ["*"] # these actions take no resource ARN
  }

  statement {
    sid       = "RollOut"
    actions   = ["ecs:UpdateService", "ecs:DescribeServices"]
    resources = [aws_ecs_service.api.id, aws_ecs_service.client.id]
  }

  statement {
    sid       = "PassExecutionRoles"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.api_execution.arn, aws_iam_role.client_execution.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "codebuild_checks" {
  name   = "checks"
  role   = aws_iam_role.codebuild_checks.id
  policy = data.aws_iam_policy_document.codebuild_checks.json
}

resource "aws_iam_role_policy" "codebuild_deploy" {
  name   = "deploy"
  role   = aws_iam_role.codebuild_deploy.id
  policy = data.aws_iam_policy_document.codebuild_deploy.json
}

locals {
  codebuild_projects = {
    checks = {
      role        = aws_iam_role.codebuild_checks.arn
      deploy      = "false"
      description = "Lint, format and test every push"
    }
    deploy = {
      role        = aws_iam_role.codebuild_deploy.arn
      deploy      = "true"
      description = "Test, build, push and deploy pushes to ${var.deploy_branch}"
    }
  }
}

resource "aws_codebuild_project" "main" {
  for_each      = local.codebuild_projects
  name          = "${local.name}-${each.key}"
  description   = each.value.description
  service_role  = each.value.role
  build_timeout = 60

  source {
    type                = "GITHUB"
    location            = var.github_repo_url
    buildspec           = "deploy/buildspec.yml"
    git_clone_depth     = 1
    report_build_status = true
  }

  artifacts {
    type = "NO_ARTIFACTS"
  }

  cache {
    type  = "LOCAL"
    modes = ["LOCAL_DOCKER_LAYER_CACHE", "LOCAL_SOURCE_CACHE"]
  }

  environment {
    type            = "LINUX_CONTAINER"
    compute_type    = var.codebuild_compute_type
    image           = "aws/codebuild/standard:7.0"
    privileged_mode = true # builds images and runs the checks in a Debian container

    environment_variable {
      name  = "DEPLOY"
      value = each.value.deploy
    }

    environment_variable {
      name  = "DEPLOY_BRANCH"
      value = var.deploy_branch
    }

    environment_variable {
      name  = "ECR_REGISTRY"
      value = "${local.account_id}.dkr.ecr.${local.region}.amazonaws.com"
    }

    environment_variable {
      name  = "API_REPOSITORY_URI"
      value = aws_ecr_repository.api.repository_url
    }

    environment_variable {
      name  = "CLIENT_REPOSITORY_URI"
      value = aws_ecr_repository.client.repository_url
    }

    environment_variable {
      name  = "ECS_CLUSTER"
      value = aws_ecs_cluster.main.name
    }

    environment_variable {
      name  = "API_SERVICE"
      value = aws_ecs_service.api.name
    }

    environment_variable {
      name  = "CLIENT_SERVICE"
      value = aws_ecs_service.client.name
    }
  }

  logs_config {
    cloudwatch_logs {
      group_name = aws_cloudwatch_log_group.codebuild.name
    }
  }

  depends_on = [aws_codebuild_source_credential.github]
}

resource "aws_codebuild_webhook" "checks" {
  project_name = aws_codebuild_project.main["checks"].name
  build_type   = "BUILD"

  filter_group {
    filter {
      type    = "EVENT"
      pattern = "PUSH"
    }

    filter {
      type                    = "HEAD_REF"
      pattern                 = "^refs/heads/${var.deploy_branch}$"
      exclude_matched_pattern = true
    }
  }
}

resource "aws_codebuild_webhook" "deploy" {
  project_name = aws_codebuild_project.main["deploy"].name
  build_type   = "BUILD"

  filter_group {
    filter {
      type    = "EVENT"
      pattern = "PUSH"
    }

    filter {
      type    = "HEAD_REF"
      pattern = "^refs/heads/${var.deploy_branch}$"
    }
  }
}
