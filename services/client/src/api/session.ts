import { sendJson, type HttpResponse } from './http';
import { defaultTokenStore, type TokenStore } from './tokenStore';
import { ApiError, type TokenPair } from './types';

/**
 * Session state.
 *
 * - The access token lives only in this object's memory.
 * - The refresh token must survive a reload: it is kept in a TokenStore
 *   (IndexedDB in browsers, see tokenStore.ts). Only this module reads or
 *   writes it; nothing it exports returns it, so rendering code never sees it.
 * - localStorage holds only a non-secret marker, `{"sub": "<user id>"}`
 *   under STORAGE_KEY: it says synchronously whether a session may be
 *   restored, and its `storage` events tell other tabs of a login, a logout
 *   or a switch of user.
 * - Every refresh (and logout) runs under one Web Lock shared by all tabs of
 *   the origin, and re-reads the stored token inside the lock; the new token
 *   is committed before the lock is released. A tab that waited therefore
 *   uses the token the previous holder just stored instead of replaying a
 *   used one (which the server would treat as theft). Within one tab,
 *   concurrent callers share one in-flight refresh.
 */

export const STORAGE_KEY = 'users-client.session';
export const LOCK_NAME = 'users-client.refresh';
export const EXPIRED_MESSAGE = 'Your session has expired. Please log in again.';

export type SessionEvent =
  | { type: 'expired'; message: string }
  | { type: 'logged-out-elsewhere' }
  | { type: 'user-changed' };

type Listener = (e: SessionEvent) => void;

export interface LockLike {
  request<T>(name: string, cb: () => Promise<T>): Promise<T>;
}

export interface SessionOptions {
  /** Where the marker lives (default: localStorage). */
  storage?: Storage;
  /** Where the refresh token lives (default: IndexedDB, else localStorage). */
  tokens?: TokenStore;
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

/** The marker's user id, or null when there is no marker. */
function markerSub(raw: string | null): string | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as { sub?: unknown };
    return typeof v.sub === 'string' ? v.sub : '';
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
  private readonly tokens: TokenStore;
  private readonly locks: LockLike | null;
  private readonly now: () => number;
  private readonly skewMs: number;

  constructor(opts: SessionOptions = {}) {
    this.storage = opts.storage ?? window.localStorage;
    this.tokens = opts.tokens ?? defaultTokenStore();
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
      const before = markerSub(ev.oldValue);
      const after = markerSub(ev.newValue);
      if (after === null) {
        if (before !== null || this.access) {
          this.access = null;
          this.emit({ type: 'logged-out-elsewhere' });
        }
      } else if (before === null || before !== after) {
        // Someone logged in (or in as someone else) in another tab.
        this.access = null;
        this.emit({ type: 'user-changed' });
      }
    };
    target.addEventListener('storage', onStorage);
    return () => target.removeEventListener('storage', onStorage);
  }

  // ---- storage (private to this module) -----------------------------------

  private marker(): string | null {
    try {
      return markerSub(this.storage.getItem(STORAGE_KEY));
    } catch {
      return null;
    }
  }

  private async store(pair: TokenPair): Promise<void> {
    await this.tokens.set(pair.refresh_token);
    const sub = jwtSubject(pair.access_token);
    if (this.marker() !== sub) this.storage.setItem(STORAGE_KEY, JSON.stringify({ sub }));
    this.access = {
      token: pair.access_token,
      expiresAt: this.now() + Math.max(0, Number(pair.expires_in) || 0) * 1000,
    };
  }

  private async clear(onlyIfToken?: string): Promise<void> {
    this.access = null;
    if (onlyIfToken !== undefined && (await this.tokens.get()) !== onlyIfToken) return;
    await this.tokens.delete();
    this.storage.removeItem(STORAGE_KEY);
  }

  /** True when a session is stored (it may be restorable). */
  hasSession(): boolean {
    return this.marker() !== null;
  }

  /** The id (JWT `sub`) of the logged-in user, or ''. */
  userId(): string {
    return this.marker() ?? '';
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
    await this.withLock(() => this.store(res.data));
  }

  /** Ends the session on the server (best effort) and always locally. */
  async logout(): Promise<void> {
    await this.withLock(async () => {
      const token = await this.tokens.get().catch(() => null);
      await this.clear();
      if (!token) return;
      try {
        await sendJson<null>('POST', '/auth/logout', { refresh_token: token });
      } catch {
        // Already invalid or unreachable: the local session is gone either way.
      }
    });
  }

  /** Forgets the session locally without asking the server (e.g. account deleted). */
  async forget(): Promise<void> {
    await this.withLock(() => this.clear());
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
      const token = await this.tokens.get();
      if (!token) {
        const had = this.hasSession();
        await this.clear();
        if (had) this.emit({ type: 'expired', message: EXPIRED_MESSAGE });
        throw new ApiError(401, EXPIRED_MESSAGE);
      }
      try {
        const res = await sendJson<TokenPair>('POST', '/auth/refresh', { refresh_token: token });
        await this.store(res.data);
        return res.data.access_token;
      } catch (err) {
        if (err instanceof ApiError && (err.status === 401 || err.status === 400)) {
          await this.clear(token);
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
