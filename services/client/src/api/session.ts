import { sendJson, type HttpResponse } from './http';
import { ApiError, type TokenPair } from './types';

/**
 * Session state.
 *
 * - The access token lives only in this object's memory.
 * - The refresh token must survive a reload, so it is kept in localStorage
 *   under STORAGE_KEY — but only this module reads or writes it: nothing it
 *   exports returns it, so rendering code never sees it.
 * - Every refresh (and logout) runs under one Web Lock shared by all tabs of
 *   the origin, and re-reads the stored token inside the lock. A tab that
 *   waited therefore uses the token the previous holder just stored, instead
 *   of replaying a used one (which the server would treat as theft). Within
 *   one tab, concurrent callers share one in-flight refresh.
 * - Other tabs learn of a login, logout or account switch through the
 *   `storage` event.
 */

export const STORAGE_KEY = 'users-client.session';
export const LOCK_NAME = 'users-client.refresh';
export const EXPIRED_MESSAGE = 'Your session has expired. Please log in again.';

interface Stored {
  token: string;
  sub: string;
}

export type SessionEvent =
  | { type: 'expired'; message: string }
  | { type: 'logged-out-elsewhere' }
  | { type: 'user-changed' };

type Listener = (e: SessionEvent) => void;

export interface LockLike {
  request<T>(name: string, cb: () => Promise<T>): Promise<T>;
}

export interface SessionOptions {
  storage?: Storage;
  locks?: LockLike | null;
  now?: () => number;
  /** Refresh this many ms before the access token expires. */
  skewMs?: number;
}

/** The `sub` claim of a JWT, or '' (the payload is read, never trusted). */
export function jwtSubject(token: string): string {
  try {
    const part = token.split('.')[1] ?? '';
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))) as {
      sub?: unknown;
    };
    return json.sub === undefined ? '' : String(json.sub);
  } catch {
    return '';
  }
}

export class Session {
  private access: { token: string; expiresAt: number } | null = null;
  private inflight: Promise<string> | null = null;
  private localQueue: Promise<unknown> = Promise.resolve();
  private listeners = new Set<Listener>();
  private readonly storage: Storage;
  private readonly locks: LockLike | null;
  private readonly now: () => number;
  private readonly skewMs: number;

  constructor(opts: SessionOptions = {}) {
    this.storage = opts.storage ?? window.localStorage;
    this.locks =
      opts.locks !== undefined
        ? opts.locks
        : typeof navigator !== 'undefined' && navigator.locks
          ? navigator.locks
          : null;
    this.now = opts.now ?? (() => Date.now());
    this.skewMs = opts.skewMs ?? 10_000;
  }

  // ---- events -------------------------------------------------------------

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: SessionEvent): void {
    for (const fn of [...this.listeners]) fn(e);
  }

  /** Connects to window `storage` events; returns the disconnector. */
  watchOtherTabs(target: Window = window): () => void {
    const onStorage = (ev: StorageEvent) => {
      if (ev.key !== STORAGE_KEY && ev.key !== null) return;
      const before = parse(ev.oldValue);
      const after = parse(ev.newValue);
      if (!after) {
        if (before || this.access) {
          this.access = null;
          this.emit({ type: 'logged-out-elsewhere' });
        }
      } else if (!before || before.sub !== after.sub) {
        // Someone logged in (or in as someone else) in another tab.
        this.access = null;
        this.emit({ type: 'user-changed' });
      }
      // Same user, new token: a rotation by another tab; nothing to do.
    };
    target.addEventListener('storage', onStorage);
    return () => target.removeEventListener('storage', onStorage);
  }

  // ---- storage (private to this module) -----------------------------------

  private read(): Stored | null {
    try {
      return parse(this.storage.getItem(STORAGE_KEY));
    } catch {
      return null;
    }
  }

  private store(pair: TokenPair): void {
    const stored: Stored = { token: pair.refresh_token, sub: jwtSubject(pair.access_token) };
    this.storage.setItem(STORAGE_KEY, JSON.stringify(stored));
    this.access = {
      token: pair.access_token,
      expiresAt: this.now() + Math.max(0, Number(pair.expires_in) || 0) * 1000,
    };
  }

  private clear(onlyIfToken?: string): void {
    this.access = null;
    const current = this.read();
    if (onlyIfToken === undefined || current?.token === onlyIfToken) {
      this.storage.removeItem(STORAGE_KEY);
    }
  }

  /** True when a refresh token is stored (a session may be restorable). */
  hasSession(): boolean {
    return this.read() !== null;
  }

  /** The id (JWT `sub`) of the logged-in user, or ''. */
  userId(): string {
    return this.read()?.sub ?? '';
  }

  // ---- locking ------------------------------------------------------------

  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    if (this.locks) return this.locks.request(LOCK_NAME, fn);
    // No Web Locks: serialize within this tab; the server's reuse grace
    // interval covers a cross-tab race.
    const run = this.localQueue.then(fn, fn);
    this.localQueue = run.catch(() => undefined);
    return run;
  }

  // ---- auth flows -----------------------------------------------------------

  async login(email: string, password: string): Promise<void> {
    const res = await sendJson<TokenPair>('POST', '/auth/login', { email, password });
    await this.withLock(async () => this.store(res.data));
  }

  /** Ends the session on the server (best effort) and always locally. */
  async logout(): Promise<void> {
    await this.withLock(async () => {
      const stored = this.read();
      this.clear();
      if (!stored) return;
      try {
        await sendJson<null>('POST', '/auth/logout', { refresh_token: stored.token });
      } catch {
        // Already invalid or unreachable: the local session is gone either way.
      }
    });
  }

  /** Forgets the session locally without asking the server (e.g. account deleted). */
  forget(): void {
    this.clear();
  }

  /**
   * Gets a new access token with the stored refresh token, rotating it.
   * `stale` is the access token that was just refused: if another caller has
   * already replaced it, that newer token is returned without a new refresh.
   */
  refresh(stale?: string): Promise<string> {
    if (this.inflight) return this.inflight;
    const p = this.withLock(async () => {
      if (this.access && this.access.token !== stale && !this.isExpiring()) {
        return this.access.token;
      }
      const stored = this.read();
      if (!stored) {
        this.access = null;
        throw new ApiError(401, EXPIRED_MESSAGE);
      }
      try {
        const res = await sendJson<TokenPair>('POST', '/auth/refresh', {
          refresh_token: stored.token,
        });
        this.store(res.data);
        return res.data.access_token;
      } catch (err) {
        if (err instanceof ApiError && (err.status === 401 || err.status === 400)) {
          this.clear(stored.token);
          this.emit({ type: 'expired', message: EXPIRED_MESSAGE });
          throw new ApiError(401, EXPIRED_MESSAGE);
        }
        throw err;
      }
    });
    this.inflight = p;
    const done = () => {
      if (this.inflight === p) this.inflight = null;
    };
    p.then(done, done);
    return p;
  }

  private isExpiring(): boolean {
    return !this.access || this.access.expiresAt - this.skewMs <= this.now();
  }

  private async currentToken(): Promise<string> {
    if (this.access && !this.isExpiring()) return this.access.token;
    return this.refresh(this.access?.token);
  }

  /**
   * An authenticated request. On a 401 it refreshes once and retries once;
   * if the refresh is refused the session ends and an `expired` event fires.
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<HttpResponse<T>> {
    const token = await this.currentToken();
    try {
      return await sendJson<T>(method, path, body, token);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
      // PUT /auth/password answers 401 (with the same Bearer challenge) for a
      // wrong current password. Tokens are refreshed before they expire, so a
      // 401 there means the password: retrying would only try it twice.
      if (path === '/auth/password') throw err;
    }
    const fresh = await this.refresh(token);
    return sendJson<T>(method, path, body, fresh);
  }
}

function parse(raw: string | null): Stored | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<Stored>;
    if (typeof v.token === 'string' && v.token) {
      return { token: v.token, sub: typeof v.sub === 'string' ? v.sub : '' };
    }
  } catch {
    // A bare token from an older version of this client.
    return { token: raw, sub: '' };
  }
  return null;
}
