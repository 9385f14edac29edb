// Tests of the Terraform checker: the real configuration passes, and each
// kind of mistake, planted in a copy of it, is reported (so the checker
// cannot silently pass everything).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { checkTerraform, readTf, albMatch, apiPaths, nginxRouter, DEPLOY_DIR } from "./check-terraform.mjs";

const TF_DIR = join(DEPLOY_DIR, "terraform");
const FRONT = join(DEPLOY_DIR, "nginx/front.conf");
const real = readTf(TF_DIR);
const frontConf = existsSync(FRONT) ? readFileSync(FRONT, "utf8") : undefined;

/** The real files with `from` replaced by `to` in `file` (which must contain it). */
function mutate(file, from, to) {
  assert.ok(real[file].includes(from), `fixture: ${file} no longer contains ${JSON.stringify(from)}`);
  return { ...real, [file]: real[file].replace(from, to) };
}

async function expectProblem(files, pattern, opts = {}) {
  const problems = await checkTerraform(files, opts);
  assert.ok(
    problems.some((p) => pattern.test(p)),
    `expected a problem matching ${pattern}, got:\n  ${problems.join("\n  ") || "(none)"}`,
  );
}

test("the real configuration passes every check", async () => {
  const problems = await checkTerraform(real, { frontConf });
  assert.deepEqual(problems, []);
});

test("the API path list includes the contract and the /doc assets", () => {
  const paths = apiPaths();
  for (const p of ["/ping", "/health", "/auth/login", "/users/{id}", "/openapi.json", "/swagger.json", "/doc/swagger-ui.css"]) {
    assert.ok(paths.includes(p), p);
  }
});

test("ALB pattern matching follows the ALB's rules", () => {
  assert.ok(albMatch("/users/*", "/users/12"));
  assert.ok(!albMatch("/users/*", "/users"));
  assert.ok(albMatch("/auth*", "/authors"));
  assert.ok(albMatch("/p?ng", "/ping"));
  assert.ok(!albMatch("/Ping", "/ping"));
  assert.ok(!albMatch("/openapi.json", "/openapiXjson"));
});

test("a file that does not parse is reported", async () => {
  await expectProblem({ ...real, "broken.tf": 'resource "aws_s3_bucket" "b" {\n' }, /broken\.tf: does not parse/);
});

test("an undeclared resource is reported", async () => {
  await expectProblem(mutate("ecs.tf", "aws_ecs_cluster.main.id", "aws_ecs_cluster.mian.id"), /undeclared resource aws_ecs_cluster\.mian/);
});

test("an undeclared variable is reported", async () => {
  await expectProblem(mutate("ecs.tf", "var.api_cpu", "var.api_cpus"), /undeclared variable var\.api_cpus/);
});

test("an undeclared local is reported", async () => {
  await expectProblem(mutate("ecs.tf", "local.api_port", "local.api_prot"), /undeclared local local\.api_prot/);
});

test("an undeclared data source is reported", async () => {
  await expectProblem(
    mutate("iam.tf", "data.aws_iam_policy_document.api_execution.json", "data.aws_iam_policy_document.api_exec.json"),
    /undeclared data source data\.aws_iam_policy_document\.api_exec/,
  );
});

test("a reference inside jsonencode() is checked too", async () => {
  await expectProblem(
    mutate("ecs.tf", "aws_cloudwatch_log_group.api.name", "aws_cloudwatch_log_group.apii.name"),
    /undeclared resource aws_cloudwatch_log_group\.apii/,
  );
});

test("a count resource referenced without an index is reported", async () => {
  await expectProblem(mutate("alb.tf", "aws_lb_listener.https[0].arn", "aws_lb_listener.https.arn"), /needs an index/);
});

test("a variable without a description is reported", async () => {
  await expectProblem(
    mutate("variables.tf", 'description = "Fargate CPU units for one users-api task."', ""),
    /variable api_cpu has no description/,
  );
});

test("a secret-looking variable with a default is reported", async () => {
  await expectProblem(
    { ...real, "extra.tf": 'variable "db_password" {\n  description = "x"\n  type = string\n  sensitive = true\n  default = "hunter22"\n}\noutput "p" {\n  description = "x"\n  value = var.db_password\n  sensitive = true\n}\n' },
    /secret-looking variable db_password has a default/,
  );
});

test("a secret-looking variable that is not sensitive is reported", async () => {
  await expectProblem(
    mutate("variables.tf", "  type        = string\n  sensitive   = true\n  default     = null\n}\n\nvariable \"github_repo_url\"", "  type        = string\n  default     = null\n}\n\nvariable \"github_repo_url\""),
    /admin_password is not marked sensitive/,
  );
});

test("an unused variable is reported", async () => {
  await expectProblem(
    { ...real, "extra.tf": 'variable "forgotten" {\n  description = "x"\n  type = string\n}\n' },
    /variable forgotten is never used/,
  );
});

test("an API path missing from the ALB rules is reported", async () => {
  await expectProblem(mutate("main.tf", '"/openapi.json", ', ""), /alb: API path \/openapi\.json goes to client/);
});

test("an over-broad ALB pattern that captures client routes is reported", async () => {
  await expectProblem(mutate("main.tf", '"/auth/*"', '"/auth*"'), /alb: client path \/authors goes to api/);
});

test("an ALB pattern for a path the API does not have is reported", async () => {
  await expectProblem(mutate("main.tf", '"/swagger.json"]', '"/swagger.json", "/admin/*"]'), /pattern \/admin\/\* sends to the API a path the API does not have/);
});

test("/metrics exposed through the ALB is reported", async () => {
  await expectProblem(mutate("main.tf", 'blocked_paths = ["/metrics", "/metrics/*"]', 'blocked_paths = ["/nothing"]'), /API path \/metrics goes to client, expected blocked/);
});

test("a secret in plain container environment is reported", async () => {
  await expectProblem(
    mutate("ecs.tf", '{ name = "LOG_LEVEL", value = var.log_level },', '{ name = "LOG_LEVEL", value = var.log_level },\n        { name = "SECRET_KEY", value = "x" },'),
    /secret is in plain environment/,
  );
});

test("a task definition without DATABASE_URL as a secret is reported", async () => {
  await expectProblem(
    mutate("secrets.tf", '{ name = "DATABASE_URL", valueFrom = aws_secretsmanager_secret.database_url.arn },', ""),
    /DATABASE_URL must be injected as a container secret/,
  );
});

test("a service without circuit-breaker rollback is reported", async () => {
  await expectProblem(mutate("ecs.tf", "rollback = true", "rollback = false"), /aws_ecs_service\.\w+: needs deployment_circuit_breaker/);
});

test("an unencrypted or public database is reported", async () => {
  await expectProblem(mutate("rds.tf", "storage_encrypted     = true", "storage_encrypted     = false"), /storage_encrypted must be true/);
  await expectProblem(mutate("rds.tf", "publicly_accessible    = false", "publicly_accessible    = true"), /publicly_accessible must be false/);
});

test("a log group without retention is reported", async () => {
  await expectProblem(mutate("ecs.tf", "  retention_in_days = var.log_retention_days\n", ""), /log group without retention_in_days/);
});

test("a wildcard IAM action or resource is reported", async () => {
  await expectProblem(mutate("iam.tf", '"logs:CreateLogStream", "logs:PutLogEvents"]', '"logs:*"]'), /wildcard action logs:\*/);
  await expectProblem(mutate("iam.tf", "resources = [aws_ecr_repository.api.arn]", 'resources = ["*"]'), /Resource "\*" for actions/);
});

test("internet ingress to the tasks is reported", async () => {
  await expectProblem(
    mutate("network.tf", "  referenced_security_group_id = aws_security_group.alb.id\n  ip_protocol                  = \"tcp\"\n  from_port                    = local.api_port", '  cidr_ipv4                    = "0.0.0.0/0"\n  ip_protocol                  = "tcp"\n  from_port                    = local.api_port'),
    /internet ingress on a security group other than the load balancer's/,
  );
});

test("an ECR repository without a lifecycle policy is reported", async () => {
  await expectProblem(mutate("ecr.tf", "repository = aws_ecr_repository.client.name", "repository = aws_ecr_repository.api.name"), /aws_ecr_repository\.client has no aws_ecr_lifecycle_policy/);
});

test("front.conf routes like the ALB", { skip: frontConf === undefined && "deploy/nginx/front.conf not written yet" }, async () => {
  const { route, locations } = nginxRouter(frontConf);
  assert.ok(locations.length > 0);
  assert.equal(route("/users/7"), "api");
  assert.equal(route("/login"), "client");
  assert.equal(route("/metrics"), "blocked");
});

test("front.conf mistakes are reported", async () => {
  const conf = [
    "upstream users_api { server 127.0.0.1:1; }",
    "upstream client { server 127.0.0.1:2; }",
    "server {",
    "  location /auth { proxy_pass http://users_api; }",
    "  location /users { proxy_pass http://users_api; }",
    "  location ~ ^/doc { proxy_pass http://users_api; }",
    "  location / { proxy_pass http://client; }",
    "}",
  ].join("\n");
  const opts = { frontConf: conf };
  await expectProblem(real, /front\.conf: client path \/authors goes to api/, opts);
  await expectProblem(real, /front\.conf: API path \/ping goes to client/, opts);
  await expectProblem(real, /front\.conf: API path \/metrics goes to client, expected blocked/, opts);
  await expectProblem(real, /front\.conf: regex location/, opts);
});
