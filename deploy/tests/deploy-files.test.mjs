// Consistency checks between the deployment files that Terraform's checker
// does not cover: compose.yaml, its podman mirror (test-images.sh), the
// front proxy, the ECS task definition's environment, the buildspec and the
// two Dockerfiles.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { DEPLOY_DIR, REPO_DIR } from "./check-terraform.mjs";

const read = (...p) => readFileSync(join(...p), "utf8");
const compose = parseYaml(read(DEPLOY_DIR, "compose.yaml"), { merge: true });
const testImages = read(DEPLOY_DIR, "test-images.sh");
const ecsTf = read(DEPLOY_DIR, "terraform/ecs.tf");
const buildspec = parseYaml(read(DEPLOY_DIR, "buildspec.yml"));
const usersDockerfile = read(REPO_DIR, "services/users/Dockerfile");
const clientDockerfile = read(REPO_DIR, "services/client/Dockerfile");

test("compose.yaml has the production stack", () => {
  assert.deepEqual(Object.keys(compose.services).sort(), ["api-1", "api-2", "client", "db", "front"]);
  const front = compose.services.front;
  assert.ok(front.volumes.some((v) => v.startsWith("./nginx/front.conf:")), "front mounts nginx/front.conf");
  for (const name of ["api-1", "api-2"]) {
    const api = compose.services[name];
    assert.equal(api.read_only, true, `${name} read_only`);
    assert.match(api.environment.SECRET_KEY, /^\$\{SECRET_KEY:\?/, `${name}: SECRET_KEY must come from the environment, required`);
    assert.match(api.environment.DATABASE_URL, /^postgres:\/\/users:\$\{POSTGRES_PASSWORD:\?/, `${name}: DATABASE_URL`);
  }
});

test("test-images.sh starts the API with the same settings as compose.yaml", () => {
  const composeEnv = Object.keys(compose.services["api-1"].environment).sort();
  const startApi = testImages.slice(testImages.indexOf("start_api() {"), testImages.indexOf("\n}\n", testImages.indexOf("start_api() {")));
  const mirrored = [...new Set([...startApi.matchAll(/-e ([A-Z_]+)=/g)].map((m) => m[1]))].sort();
  // Only in the test: ADMIN_USERNAME (the client's e2e suite expects "admin") and
  // REFRESH_TOKEN_REUSE_INTERVAL (passed through only when set by the caller).
  const testOnly = ["ADMIN_USERNAME", "REFRESH_TOKEN_REUSE_INTERVAL"];
  assert.deepEqual(mirrored.filter((k) => !testOnly.includes(k)), composeEnv);
});

test("the ECS task definition sets the production environment of compose.yaml", () => {
  const env = compose.services["api-1"].environment;
  for (const [k, v] of Object.entries({ PORT: "5000", APP_ENV: "production", BCRYPT_LOG_ROUNDS: "12", LOG_LEVEL: "info" })) {
    assert.equal(env[k], v, `compose ${k}`);
    assert.match(ecsTf, new RegExp(`name = "${k}"`), `ecs.tf sets ${k}`);
  }
  assert.match(ecsTf, /name = "TRUSTED_PROXIES", value = var\.vpc_cidr/);
});

test("the buildspec runs the checks and deploys only from the deploy branch", () => {
  const pre = buildspec.phases.pre_build.commands.join("\n");
  for (const step of ["make -C services/users lint", "make -C services/client lint", "make test-users", "make test-client", "make test-deploy"]) {
    assert.ok(pre.includes(step), `pre_build runs ${step}`);
  }
  const build = buildspec.phases.build.commands.join("\n");
  assert.match(build, /docker build .* services\/users/);
  assert.match(build, /docker build .* services\/client/);
  const post = buildspec.phases.post_build.commands.join("\n");
  const gate = post.indexOf('$BRANCH != "$DEPLOY_BRANCH"');
  assert.ok(gate > 0, "post_build checks the branch");
  for (const step of ["docker push", "deploy/ecs-deploy.sh"]) {
    const at = post.indexOf(step);
    assert.ok(at > gate, `${step} comes after the branch check`);
  }
  assert.ok(post.indexOf("CODEBUILD_BUILD_SUCCEEDING") < gate, "nothing is pushed after a failed build");
});

test("both Dockerfiles share the build stage's apt layer verbatim", () => {
  const aptLine = (text) => /FROM \$\{BASE\} AS build\n(?:#.*\n)*(RUN apt-get update[\s\S]*?lists\/\*\n)/.exec(text)?.[1];
  assert.ok(aptLine(usersDockerfile), "users Dockerfile build stage starts with apt-get");
  assert.equal(aptLine(clientDockerfile), aptLine(usersDockerfile));
});

test("the images run as numeric non-root users and declare a HEALTHCHECK", () => {
  for (const [name, text] of [["users", usersDockerfile], ["client", clientDockerfile]]) {
    assert.match(text, /^USER [1-9][0-9]*:[0-9]+$/m, `${name}: USER uid:gid`);
    assert.match(text, /^HEALTHCHECK /m, `${name}: HEALTHCHECK`);
  }
  assert.match(usersDockerfile, /^FROM scratch$/m);
  assert.match(usersDockerfile, /CMD \["\/users-api", "healthcheck"\]/);
});
