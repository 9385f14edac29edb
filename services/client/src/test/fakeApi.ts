import { vi } from 'vitest';
import type { User } from '../api/types';

// An in-memory users-api behind a fake `fetch`: the only thing faked in the
// unit tests is the HTTP boundary. It follows the contract in API.md.

interface Account extends User {
  password: string;
}

export interface Call {
  method: string;
  path: string;
  body: unknown;
  auth: string | null;
}

type Handler = (call: Call) => Response | undefined | Promise<Response | undefined>;

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });

const unauthorized = () =>
  json(401, { message: 'Invalid token. Please log in again.' }, { 'WWW-Authenticate': 'Bearer' });

const b64url = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export class FakeApi {
  accounts: Account[] = [];
  calls: Call[] = [];
  /** access token -> user id */
  access = new Map<string, number>();
  /** refresh token -> { user id, used } */
  refresh = new Map<string, { userId: number; used: boolean }>();
  private seq = 0;
  private overrides: Handler[] = [];
  readonly fetch = vi.fn(this.handle.bind(this));

  constructor() {
    this.addUser({
      username: 'admin',
      email: 'admin@example.com',
      password: 'adminpass1',
      admin: true,
    });
  }

  install(): this {
    vi.stubGlobal('fetch', this.fetch);
    return this;
  }

  addUser(u: {
    username: string;
    email: string;
    password: string;
    admin?: boolean;
    active?: boolean;
  }): Account {
    const id = this.accounts.reduce((m, a) => Math.max(m, a.id), 0) + 1;
    const acc: Account = {
      id,
      username: u.username,
      email: u.email,
      password: u.password,
      admin: u.admin ?? false,
      active: u.active ?? true,
      created_date: `2026-11-28T02:${String(10 + id).padStart(2, '0')}:00Z`,
    };
    this.accounts.push(acc);
    return acc;
  }

  /** Answers the next matching request with `handler` instead (first match wins). */
  intercept(handler: Handler): void {
    this.overrides.push(handler);
  }

  /** Issues a token pair as the server would after a login. */
  issue(userId: number): {
    access_token: string;
    refresh_token: string;
    token_type: string;
    expires_in: number;
  } {
    const n = ++this.seq;
    const access_token = `${b64url('{"alg":"HS256"}')}.${b64url(JSON.stringify({ sub: String(userId), n, type: 'access' }))}.sig`;
    const refresh_token = `r${n}-${userId}`;
    this.access.set(access_token, userId);
    this.refresh.set(refresh_token, { userId, used: false });
    return { access_token, refresh_token, token_type: 'Bearer', expires_in: 900 };
  }

  /** Makes every access token issued so far stop working (as if expired). */
  expireAccessTokens(): void {
    this.access.clear();
  }

  callsTo(method: string, path: string): Call[] {
    return this.calls.filter((c) => c.method === method && c.path.split('?')[0] === path);
  }

  private pub(a: Account): User {
    const { password: _pw, ...u } = a;
    void _pw;
    return u;
  }

  private async handle(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const url = new URL(String(input), 'http://localhost');
    const headers = new Headers(init?.headers);
    const raw = init?.body ? String(init.body) : '';
    const call: Call = {
      method: (init?.method ?? 'GET').toUpperCase(),
      path: url.pathname + url.search,
      body: raw ? JSON.parse(raw) : undefined,
      auth: headers.get('Authorization'),
    };
    this.calls.push(call);
    for (let i = 0; i < this.overrides.length; i++) {
      let r: Response | undefined;
      try {
        r = await this.overrides[i](call);
      } catch (err) {
        this.overrides.splice(i, 1); // a thrown network error also counts as used
        throw err;
      }
      if (r) {
        this.overrides.splice(i, 1);
        return r;
      }
    }
    return this.route(call, url);
  }

  private me(call: Call): Account | undefined {
    const token = call.auth?.replace(/^Bearer /, '') ?? '';
    const id = this.access.get(token);
    const acc = this.accounts.find((a) => a.id === id);
    return acc && acc.active ? acc : undefined;
  }

  private route(call: Call, url: URL): Response {
    const body = (call.body ?? {}) as Record<string, unknown>;
    const p = url.pathname;
    const m = call.method;
    if (p === '/auth/login' && m === 'POST') {
      const acc = this.accounts.find((a) => a.email === String(body.email).toLowerCase());
      if (!acc || acc.password !== body.password || !acc.active)
        return json(401, { message: 'Invalid email or password.' });
      return json(200, this.issue(acc.id));
    }
    if (p === '/auth/register' && m === 'POST') {
      const dup = this.duplicate(String(body.username), String(body.email));
      if (dup) return dup;
      const acc = this.addUser({
        username: String(body.username),
        email: String(body.email).toLowerCase(),
        password: String(body.password),
      });
      return json(201, this.pub(acc));
    }
    if (p === '/auth/refresh' && m === 'POST') {
      const r = this.refresh.get(String(body.refresh_token));
      const acc = r && this.accounts.find((a) => a.id === r.userId && a.active);
      if (!r || r.used || !acc)
        return json(401, { message: 'Invalid token. Please log in again.' });
      r.used = true;
      return json(200, this.issue(r.userId));
    }
    if (p === '/auth/logout' && m === 'POST') {
      const r = this.refresh.get(String(body.refresh_token));
      if (!r || r.used) return json(401, { message: 'Invalid token. Please log in again.' });
      r.used = true;
      return json(204, null);
    }
    const me = this.me(call);
    if (p.startsWith('/auth/') || p.startsWith('/users')) {
      if (!me) return unauthorized();
    }
    if (!me) return json(404, { message: 'Not found' });
    if (p === '/auth/status' && m === 'GET') return json(200, this.pub(me));
    if (p === '/auth/password' && m === 'PUT') {
      if (body.current_password !== me.password)
        return json(
          401,
          { message: 'Current password is wrong.' },
          { 'WWW-Authenticate': 'Bearer' }, // as users-api does
        );
      me.password = String(body.new_password);
      for (const r of this.refresh.values()) if (r.userId === me.id) r.used = true;
      return json(204, null);
    }
    if (p === '/users' && m === 'GET') {
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const all = [...this.accounts].sort((a, b) => a.id - b.id);
      return json(
        200,
        all.slice(offset, offset + limit).map((a) => this.pub(a)),
        {
          'X-Total-Count': String(all.length),
        },
      );
    }
    if (p === '/users' && m === 'POST') {
      if (!me.admin) return json(403, { message: 'You do not have permission to do that.' });
      const dup = this.duplicate(String(body.username), String(body.email));
      if (dup) return dup;
      const acc = this.addUser({
        username: String(body.username),
        email: String(body.email).toLowerCase(),
        password: String(body.password),
        admin: body.admin === true,
      });
      return json(201, this.pub(acc), { Location: `/users/${acc.id}` });
    }
    const idm = /^\/users\/(\d+)$/.exec(p);
    if (idm) {
      const id = Number(idm[1]);
      const acc = this.accounts.find((a) => a.id === id);
      if (!acc) return json(404, { message: `User ${id} does not exist` });
      if (m === 'GET') return json(200, this.pub(acc));
      if (!me.admin && me.id !== id)
        return json(403, { message: 'You do not have permission to do that.' });
      if (m === 'PUT') {
        if (!me.admin && ('active' in body || 'admin' in body))
          return json(403, { message: 'Only an administrator can change active or admin.' });
        const dup = this.duplicate(String(body.username), String(body.email), id);
        if (dup) return dup;
        acc.username = String(body.username);
        acc.email = String(body.email).toLowerCase();
        if (typeof body.active === 'boolean') acc.active = body.active;
        if (typeof body.admin === 'boolean') acc.admin = body.admin;
        return json(200, this.pub(acc));
      }
      if (m === 'DELETE') {
        this.accounts = this.accounts.filter((a) => a.id !== id);
        return json(200, { message: `${acc.email} was removed!` });
      }
    }
    return json(404, { message: 'Not found' });
  }

  private duplicate(username: string, email: string, except?: number): Response | undefined {
    const others = this.accounts.filter((a) => a.id !== except);
    if (others.some((a) => a.email === email.toLowerCase()))
      return json(409, {
        message: 'Sorry. That email already exists.',
        errors: { email: 'That email already exists.' },
      });
    if (others.some((a) => a.username.toLowerCase() === username.toLowerCase()))
      return json(409, {
        message: 'Sorry. That username already exists.',
        errors: { username: 'That username already exists.' },
      });
    return undefined;
  }
}
