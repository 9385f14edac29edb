// vitest globalSetup for running the client's e2e suite (services/client/e2e)
// against an already running stack instead of the users-api its own setup
// starts: deploy/test-images.sh points it at the front nginx.
export function setup(project) {
  const baseURL = process.env.E2E_BASE_URL;
  if (!baseURL) throw new Error("E2E_BASE_URL is not set");
  project.provide("baseURL", baseURL.replace(/\/$/, ""));
  project.provide("adminEmail", process.env.E2E_ADMIN_EMAIL ?? "admin@example.com");
  project.provide("adminPassword", process.env.E2E_ADMIN_PASSWORD ?? "admin-pass-123");
}
