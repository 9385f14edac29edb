// Static checks for deploy/terraform, since Terraform itself (and AWS) is not
// available to the test suite. Parses every .tf file with HashiCorp's HCL
// parser (compiled to WebAssembly in @cdktf/hcl2json) and reports:
//   - files that do not parse;
//   - references to resources, data sources, variables and locals that are not
//     declared, and count/for_each resources referenced without an index (or
//     single resources with one);
//   - variables without a description or type, unused variables and locals;
//   - secret-looking variables with a default or without `sensitive = true`;
//   - ALB listener rules that do not send exactly the API's paths to the API
//     target group (compared with the API contract and services/users/openapi.json),
//     and the same for deploy/nginx/front.conf, which mirrors the ALB locally;
//   - deployment policy the issue asks for (awslogs + retention, circuit breaker
//     with rollback, encrypted private RDS with backups, ECR lifecycle policies,
//     secrets never in plain environment, no wildcard IAM actions, internet
//     ingress only on the load balancer, /ping health check).
//
// Usage: node tests/check-terraform.mjs [TERRAFORM_DIR]  (exit 1 on problems)
// As a module: checkTerraform({ "main.tf": "..." }, options) -> [problem strings]

import { parse, getReferencesInExpression } from "@cdktf/hcl2json";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const DEPLOY_DIR = resolve(here, "..");
export const REPO_DIR = resolve(DEPLOY_DIR, "..");

// The API's paths, from the contract (/work/shared/API.md). Path parameters
// are written {name}. openapi.json, when present, adds to this list.
export const CONTRACT_PATHS = [
  "/ping",
  "/health",
  "/metrics",
  "/doc",
  "/openapi.json",
  "/swagger.json",
  "/auth/register",
  "/auth/login",
  "/auth/refresh",
  "/auth/logout",
  "/auth/status",
  "/auth/password",
  "/users",
  "/users/{id}",
];

// Paths answered by the API but never exposed through the load balancer.
export const OPERATOR_ONLY_PATHS = ["/metrics"];

// Paths that belong to the client (SPA routes, hashed assets) and must not be
// captured by an API rule; "/authors" and "/documents" catch over-broad
// prefixes such as "/auth*" or "/doc*".
export const CLIENT_SAMPLE_PATHS = [
  "/",
  "/index.html",
  "/login",
  "/register",
  "/status",
  "/assets/index-3f2a9c.js",
  "/assets/index-3f2a9c.css",
  "/favicon.ico",
  "/authors",
  "/documents",
  "/healthy",
  "/pingpong",
];

const IGNORED_ROOTS = new Set(["count", "each", "self", "path", "terraform"]);
const SECRET_NAME = /(password|passwd|secret|token|private_key|api_key|apikey|credential)/i;
// Actions with no resource-level permissions, where Resource "*" is required.
const STAR_RESOURCE_ACTIONS = new Set([
  "ecr:GetAuthorizationToken",
  "ecs:DescribeTaskDefinition",
  "ecs:RegisterTaskDefinition",
  "sts:AssumeRole",
]);

/** Every string leaf of a parsed value, with a dotted location. */
function* strings(value, where) {
  if (typeof value === "string") {
    yield [value, where];
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* strings(value[i], where);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) yield* strings(v, `${where}.${k}`);
  }
}

/** Labels of `dynamic "x" {}` blocks: `x.value` / `x.key` are their iterators. */
function dynamicLabels(value, out = new Set()) {
  if (Array.isArray(value)) value.forEach((v) => dynamicLabels(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "dynamic" && v && typeof v === "object" && !Array.isArray(v)) {
        for (const label of Object.keys(v)) out.add(label);
      }
      dynamicLabels(v, out);
    }
  }
  return out;
}

const first = (blocks) => (Array.isArray(blocks) ? blocks[0] : blocks) ?? {};
const exprText = (s) => (typeof s === "string" && s.startsWith("${") && s.endsWith("}") ? s.slice(2, -1) : null);

/** ALB path-pattern semantics: case-sensitive, * any run of characters, ? one character. */
export function albMatch(pattern, path) {
  const re = new RegExp(
    "^" +
      pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
        .join("") +
      "$",
  );
  return re.test(path);
}

/** A concrete request path for an API path template: {id} -> 1. */
export const concrete = (p) => p.replace(/\{[^}]+\}/g, "1");

/** The API's paths: the contract, the /doc page's assets compiled into the
 * binary (doc/NAME=... in services/users/Makefile) and openapi.json's paths. */
export function apiPaths(repoDir = REPO_DIR) {
  const paths = new Set(CONTRACT_PATHS);
  const mk = join(repoDir, "services/users/Makefile");
  const assets = existsSync(mk) ? [...readFileSync(mk, "utf8").matchAll(/\b(doc\/[\w.-]+)=/g)].map((m) => "/" + m[1]) : [];
  for (const a of assets.length ? assets : ["/doc/swagger-ui-bundle.js", "/doc/swagger-ui.css"]) paths.add(a);
  const spec = join(repoDir, "services/users/openapi.json");
  if (existsSync(spec)) {
    const doc = JSON.parse(readFileSync(spec, "utf8"));
    for (const p of Object.keys(doc.paths ?? {})) paths.add(p);
  }
  return [...paths].sort();
}

/**
 * Compares a router (path -> "api" | "client" | "blocked") with the API's
 * paths. `patterns` (optional) are the API-forwarding patterns, each of which
 * must serve at least one API path.
 */
export function checkRouting(label, route, paths, patterns = []) {
  const problems = [];
  for (const p of paths) {
    const got = route(concrete(p));
    const want = OPERATOR_ONLY_PATHS.includes(p) ? "blocked" : "api";
    if (got !== want) problems.push(`${label}: API path ${p} goes to ${got}, expected ${want}`);
  }
  for (const p of CLIENT_SAMPLE_PATHS) {
    const got = route(p);
    if (got !== "client") problems.push(`${label}: client path ${p} goes to ${got}, expected client`);
  }
  for (const pat of patterns) {
    if (!paths.some((p) => !OPERATOR_ONLY_PATHS.includes(p) && albMatch(pat, concrete(p)))) {
      problems.push(`${label}: pattern ${pat} sends to the API a path the API does not have`);
    }
  }
  return problems;
}

/**
 * Parses nginx `location` blocks of the front proxy (exact `=` and prefix
 * locations only; regex locations are reported) and returns a router.
 */
export function nginxRouter(conf) {
  const problems = [];
  const locs = [];
  const re = /location\s+(=|\^~|~\*?)?\s*(\S+)\s*\{([^{}]*)\}/g;
  let m;
  while ((m = re.exec(conf))) {
    const [, mod, path, body] = m;
    if (mod && mod.startsWith("~")) {
      problems.push(`front.conf: regex location ${path} cannot be checked; use exact (=) or prefix locations`);
      continue;
    }
    let target = "other";
    if (/proxy_pass\s+https?:\/\/users_api\b/.test(body)) target = "api";
    else if (/proxy_pass\s+https?:\/\/client\b/.test(body)) target = "client";
    else if (/return\s+404\b/.test(body)) target = "blocked";
    locs.push({ exact: mod === "=", path, target });
  }
  const route = (p) => {
    const exact = locs.find((l) => l.exact && l.path === p);
    if (exact) return exact.target;
    let best = null;
    for (const l of locs) if (!l.exact && p.startsWith(l.path) && (!best || l.path.length > best.path.length)) best = l;
    return best ? best.target : "none";
  };
  return { route, problems, locations: locs };
}

/** Parses every file; returns { merged, problems }. */
async function parseAll(files) {
  const problems = [];
  const parsed = [];
  for (const [name, text] of Object.entries(files)) {
    try {
      parsed.push([name, await parse(name, text)]);
    } catch (e) {
      problems.push(`${name}: does not parse: ${String(e.message || e).split("\n")[0]}`);
    }
  }
  return { parsed, problems };
}

/**
 * @param files {Record<string,string>} file name -> HCL text
 * @param opts.apiPaths API paths to check the ALB rules against (default: apiPaths())
 * @param opts.frontConf text of deploy/nginx/front.conf (optional)
 * @param opts.policy run the deployment-policy checks (default true)
 */
export async function checkTerraform(files, opts = {}) {
  const { parsed, problems } = await parseAll(files);
  const paths = opts.apiPaths ?? apiPaths();
  const policy = opts.policy ?? true;

  const resources = new Map(); // "type.name" -> { file, body, counted }
  const data = new Map();
  const variables = new Map();
  const locals = new Map(); // name -> { file, value }
  const outputs = new Map();
  const modules = new Map();
  const providers = new Set();

  const declare = (map, key, val, file, kind) => {
    if (map.has(key)) problems.push(`${file}: ${kind} ${key} is declared twice (also in ${map.get(key).file})`);
    map.set(key, { ...val, file });
  };

  for (const [file, doc] of parsed) {
    for (const [type, byName] of Object.entries(doc.resource ?? {})) {
      for (const [name, blocks] of Object.entries(byName)) {
        const body = first(blocks);
        declare(resources, `${type}.${name}`, { body, counted: "count" in body || "for_each" in body }, file, "resource");
      }
    }
    for (const [type, byName] of Object.entries(doc.data ?? {})) {
      for (const [name, blocks] of Object.entries(byName)) {
        const body = first(blocks);
        declare(data, `${type}.${name}`, { body, counted: "count" in body || "for_each" in body }, file, "data source");
      }
    }
    for (const [name, blocks] of Object.entries(doc.variable ?? {})) declare(variables, name, { body: first(blocks) }, file, "variable");
    for (const block of doc.locals ?? []) {
      for (const [name, value] of Object.entries(block)) declare(locals, name, { value }, file, "local");
    }
    for (const [name, blocks] of Object.entries(doc.output ?? {})) declare(outputs, name, { body: first(blocks) }, file, "output");
    for (const [name, blocks] of Object.entries(doc.module ?? {})) declare(modules, name, { body: first(blocks) }, file, "module");
    for (const name of Object.keys(doc.provider ?? {})) providers.add(name);
  }

  // --- references ---------------------------------------------------------
  const used = { var: new Set(), local: new Set() };
  for (const [file, doc] of parsed) {
    const iterators = dynamicLabels(doc);
    for (const section of ["resource", "data", "locals", "output", "module", "provider", "variable"]) {
      if (!doc[section]) continue;
      for (const [text, where] of strings(doc[section], section)) {
        if (!text.includes("${")) continue;
        if (/\.lifecycle\.ignore_changes$/.test(where)) continue; // attribute names, not references
        let refs;
        try {
          refs = await getReferencesInExpression(file, text);
        } catch (e) {
          problems.push(`${file}: ${where}: expression does not parse: ${String(e.message || e).split("\n")[0]}`);
          continue;
        }
        for (const { value } of refs) {
          const seg = value.split(".");
          const [root] = seg;
          if (IGNORED_ROOTS.has(root) || iterators.has(root) || seg.length < 2) continue;
          const isIndex = (s) => s !== undefined && (/^\d+$/.test(s) || /^".*"$/.test(s));
          if (root === "var") {
            used.var.add(seg[1]);
            if (!variables.has(seg[1])) problems.push(`${file}: ${where}: undeclared variable var.${seg[1]}`);
          } else if (root === "local") {
            used.local.add(seg[1]);
            if (!locals.has(seg[1])) problems.push(`${file}: ${where}: undeclared local local.${seg[1]}`);
          } else if (root === "data") {
            const key = `${seg[1]}.${seg[2]}`;
            if (!data.has(key)) problems.push(`${file}: ${where}: undeclared data source data.${key}`);
          } else if (root === "module") {
            if (!modules.has(seg[1])) problems.push(`${file}: ${where}: undeclared module module.${seg[1]}`);
          } else if (/^[a-z0-9]+_[a-z0-9_]+$/.test(root)) {
            const key = `${seg[0]}.${seg[1]}`;
            const r = resources.get(key);
            if (!r) {
              problems.push(`${file}: ${where}: undeclared resource ${key}`);
            } else if (seg.length >= 3 && r.counted && !isIndex(seg[2])) {
              problems.push(`${file}: ${where}: ${key} has count/for_each and needs an index in ${value}`);
            } else if (seg.length >= 3 && !r.counted && isIndex(seg[2])) {
              problems.push(`${file}: ${where}: ${key} has no count/for_each but is indexed in ${value}`);
            }
          } else {
            problems.push(`${file}: ${where}: unknown reference ${value}`);
          }
        }
      }
    }
  }

  // --- variables and locals -------------------------------------------------
  for (const [name, { body, file }] of variables) {
    if (typeof body.description !== "string" || body.description.trim() === "") {
      problems.push(`${file}: variable ${name} has no description`);
    }
    if (!("type" in body)) problems.push(`${file}: variable ${name} has no type`);
    if (SECRET_NAME.test(name)) {
      if ("default" in body && body.default !== null) {
        problems.push(`${file}: secret-looking variable ${name} has a default (only null is allowed)`);
      }
      if (body.sensitive !== true) problems.push(`${file}: secret-looking variable ${name} is not marked sensitive`);
    }
    if (!used.var.has(name)) problems.push(`${file}: variable ${name} is never used`);
  }
  for (const [name, { file }] of locals) {
    if (!used.local.has(name)) problems.push(`${file}: local ${name} is never used`);
  }
  for (const [name, { body, file }] of outputs) {
    if (typeof body.description !== "string" || body.description.trim() === "") {
      problems.push(`${file}: output ${name} has no description`);
    }
  }

  // --- load balancer routing --------------------------------------------------
  const resolveValues = (v) => {
    // literal list, "${local.x}" or "${local.x[count.index]}" (a list of lists: all of them)
    if (Array.isArray(v)) return v.flat(Infinity);
    const t = exprText(v);
    const m = t && /^local\.([A-Za-z_][\w-]*)(\[count\.index\])?$/.exec(t.trim());
    if (m && locals.has(m[1]) && Array.isArray(locals.get(m[1]).value)) return locals.get(m[1]).value.flat(Infinity);
    return null;
  };
  const tgOf = (action) => {
    const t = exprText(first(action).target_group_arn ?? "");
    const m = t && /^aws_lb_target_group\.([\w-]+)\.arn$/.exec(t.trim());
    return m ? m[1] : null;
  };
  const targetGroups = [...resources].filter(([k]) => k.startsWith("aws_lb_target_group."));
  const apiTg = targetGroups.filter(([, r]) => first(r.body.health_check).path === "/ping").map(([k]) => k.split(".")[1]);
  const rules = [...resources].filter(([k]) => k.startsWith("aws_lb_listener_rule."));
  if (rules.length || targetGroups.length) {
    if (apiTg.length !== 1) problems.push(`alb: expected exactly one target group with health check path /ping (the API), found ${apiTg.length}`);
    const albRules = []; // { patterns, target }
    for (const [key, r] of rules) {
      const action = first(r.body.action);
      let target = "other";
      if (action.type === "forward") target = apiTg.includes(tgOf(action)) ? "api" : "client";
      else if (action.type === "fixed-response") target = "blocked";
      for (const cond of r.body.condition ?? []) {
        const pp = first(cond.path_pattern);
        if (!cond.path_pattern) continue;
        const values = resolveValues(pp.values);
        if (!values) {
          problems.push(`${r.file}: ${key}: path_pattern values must be a literal list or a local holding one`);
          continue;
        }
        for (const v of values) if (!v.startsWith("/")) problems.push(`${r.file}: ${key}: path pattern ${v} must start with /`);
        albRules.push({ key, patterns: values, target, priority: Number(r.body.priority) || 0 });
      }
    }
    // ALB evaluates rules by priority; unmatched requests take the default (client).
    albRules.sort((a, b) => a.priority - b.priority);
    const route = (p) => albRules.find((r) => r.patterns.some((pat) => albMatch(pat, p)))?.target ?? "client";
    const apiPatterns = albRules.filter((r) => r.target === "api").flatMap((r) => r.patterns);
    problems.push(...checkRouting("alb", route, paths, apiPatterns));
  }
  if (opts.frontConf !== undefined) {
    const nginx = nginxRouter(opts.frontConf);
    problems.push(...nginx.problems);
    problems.push(...checkRouting("front.conf", nginx.route, paths));
  }

  // --- deployment policy --------------------------------------------------------
  if (policy) {
    const ofType = (t) => [...resources].filter(([k]) => k.startsWith(`${t}.`));
    for (const [key, r] of ofType("aws_ecs_task_definition")) {
      const cd = String(r.body.container_definitions ?? "");
      if (!/logDriver\s*=\s*"awslogs"/.test(cd)) problems.push(`${r.file}: ${key}: containers must log with the awslogs driver`);
      const env = /environment\s*=\s*\[([^\]]*)\]/.exec(cd);
      if (env && /(SECRET|PASSWORD|DATABASE_URL|TOKEN)/i.test(env[1])) {
        problems.push(`${r.file}: ${key}: a secret is in plain environment; use container secrets`);
      }
      if (/users-api/.test(cd)) {
        const m = /secrets\s*=\s*local\.([\w-]+)/.exec(cd);
        const secretsText = m && locals.has(m[1]) ? JSON.stringify(locals.get(m[1]).value) : cd;
        for (const s of ["SECRET_KEY", "DATABASE_URL"]) {
          if (!new RegExp(`name\\s*=\\s*\\\\?"${s}\\\\?"`).test(secretsText)) {
            problems.push(`${r.file}: ${key}: ${s} must be injected as a container secret`);
          }
        }
      }
    }
    for (const [key, r] of ofType("aws_cloudwatch_log_group")) {
      if (!("retention_in_days" in r.body)) problems.push(`${r.file}: ${key}: log group without retention_in_days`);
    }
    for (const [key, r] of ofType("aws_ecs_service")) {
      const cb = first(r.body.deployment_circuit_breaker);
      if (cb.enable !== true || cb.rollback !== true) problems.push(`${r.file}: ${key}: needs deployment_circuit_breaker with enable and rollback`);
      if (first(r.body.network_configuration).assign_public_ip === true) problems.push(`${r.file}: ${key}: tasks must not get public IPs`);
    }
    for (const [key, r] of ofType("aws_db_instance")) {
      if (r.body.storage_encrypted !== true) problems.push(`${r.file}: ${key}: storage_encrypted must be true`);
      if (r.body.publicly_accessible !== false) problems.push(`${r.file}: ${key}: publicly_accessible must be false`);
      if (!("backup_retention_period" in r.body) || r.body.backup_retention_period === 0) {
        problems.push(`${r.file}: ${key}: needs automated backups (backup_retention_period)`);
      }
      if (r.body.password !== undefined && !exprText(r.body.password)) problems.push(`${r.file}: ${key}: literal database password`);
    }
    const lifecycleTargets = ofType("aws_ecr_lifecycle_policy").map(([, r]) => String(r.body.repository));
    for (const [key] of ofType("aws_ecr_repository")) {
      if (!lifecycleTargets.some((t) => t.includes(`${key}.`))) problems.push(`ecr: ${key} has no aws_ecr_lifecycle_policy`);
    }
    for (const [key, d] of [...data].filter(([k]) => k.startsWith("aws_iam_policy_document."))) {
      for (const st of d.body.statement ?? []) {
        const actions = (st.actions ?? []).flat();
        for (const a of actions) if (typeof a === "string" && a.includes("*")) problems.push(`${d.file}: data.${key}: wildcard action ${a}`);
        const res = (Array.isArray(st.resources) ? st.resources : []).flat();
        if (res.includes("*") && !actions.every((a) => STAR_RESOURCE_ACTIONS.has(a))) {
          problems.push(`${d.file}: data.${key}: Resource "*" for actions that support resource-level permissions (${actions.join(", ")})`);
        }
      }
    }
    const albSg = [...ofType("aws_lb")].flatMap(([, r]) => (Array.isArray(r.body.security_groups) ? r.body.security_groups : []));
    for (const [key, r] of ofType("aws_vpc_security_group_ingress_rule")) {
      const open = ["cidr_ipv4", "cidr_ipv6"].some((f) => typeof r.body[f] === "string" && /\/0$/.test(r.body[f]));
      if (open && !albSg.includes(r.body.security_group_id)) problems.push(`${r.file}: ${key}: internet ingress on a security group other than the load balancer's`);
    }
    for (const [key, r] of ofType("aws_security_group")) {
      if (r.body.ingress || r.body.egress) problems.push(`${r.file}: ${key}: use aws_vpc_security_group_*_rule resources, not inline rules`);
    }
  }

  return problems;
}

/** Reads DIR/*.tf into { name: text }. */
export function readTf(dir) {
  const files = {};
  for (const f of readdirSync(dir).sort()) if (f.endsWith(".tf")) files[f] = readFileSync(join(dir, f), "utf8");
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? join(DEPLOY_DIR, "terraform"));
  const front = join(DEPLOY_DIR, "nginx/front.conf");
  const files = readTf(dir);
  const problems = await checkTerraform(files, { frontConf: existsSync(front) ? readFileSync(front, "utf8") : undefined });
  for (const p of problems) console.error(`check-terraform: ${p}`);
  console.log(`check-terraform: ${Object.keys(files).length} files, ${problems.length} problem(s)`);
  process.exit(problems.length ? 1 : 0);
}
