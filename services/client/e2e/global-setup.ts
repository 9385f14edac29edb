// Starts the real users-api (SQLite in a temp dir) serving the built client
// from dist/ via STATIC_DIR, on a free port; stops it with SIGTERM afterwards.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
    adminEmail: string;
    adminPassword: string;
  }
}

const clientDir = path.resolve(__dirname, '..');
const usersDir = path.resolve(clientDir, '../users');
const binary = process.env.USERS_API_BIN ?? path.join(usersDir, 'build/release/users-api');

let server: ChildProcess | undefined;
let workDir = '';

export async function setup(project: TestProject): Promise<void> {
  if (!existsSync(binary)) {
    console.log(`e2e: ${binary} missing, building it (make -C ${usersDir} MODE=release)`);
    // Vitest sets MODE=test in the environment; the server's Makefile reads
    // MODE too, so pin the release build explicitly.
    const env = { ...process.env };
    delete env.MODE;
    const r = spawnSync('make', ['-C', usersDir, 'MODE=release'], { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error('building users-api failed');
  }
  if (!existsSync(path.join(clientDir, 'dist/index.html'))) {
    const r = spawnSync(path.join(clientDir, 'node_modules/.bin/vite'), ['build'], {
      cwd: clientDir,
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('vite build failed');
  }
  workDir = mkdtempSync(path.join(tmpdir(), 'users-client-e2e-'));
  const adminEmail = 'admin@example.com';
  const adminPassword = 'admin-pass-123';
  server = spawn(binary, [], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PORT: '0',
      DATABASE_URL: `sqlite://${path.join(workDir, 'users.db')}`,
      SECRET_KEY: 'e2e-secret-key-0123456789abcdef0123456789',
      BCRYPT_LOG_ROUNDS: '4',
      ADMIN_EMAIL: adminEmail,
      ADMIN_PASSWORD: adminPassword,
      ADMIN_USERNAME: 'admin',
      STATIC_DIR: path.join(clientDir, 'dist'),
      // No grace interval for a reused refresh token: two tabs survive a
      // refresh race only through the client's own coordination (Web Locks).
      REFRESH_TOKEN_REUSE_INTERVAL: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stderr?.on('data', (d: Buffer) => process.stderr.write(`[users-api] ${d}`));
  // The server's JSON log is kept next to the screenshots, as a build artifact.
  mkdirSync(path.join(clientDir, 'e2e/screenshots'), { recursive: true });
  const log = createWriteStream(path.join(clientDir, 'e2e/screenshots/users-api.log'));
  server.stdout?.pipe(log);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('users-api did not report listening')), 20_000);
    server!.once('exit', (code) => reject(new Error(`users-api exited early (${code})`)));
    createInterface({ input: server!.stdout! }).on('line', (line) => {
      try {
        const rec = JSON.parse(line) as { msg?: string; port?: number };
        if (rec.msg === 'listening' && rec.port) {
          clearTimeout(timer);
          resolve(rec.port);
        }
      } catch {
        // not a JSON log line
      }
    });
  });
  project.provide('baseURL', `http://127.0.0.1:${port}`);
  project.provide('adminEmail', adminEmail);
  project.provide('adminPassword', adminPassword);
}

export async function teardown(): Promise<void> {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    const timer = setTimeout(() => server?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}
