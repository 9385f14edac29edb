import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '../test/fakeApi';
import { storeSession } from '../test/render';
import { TOKEN_KEY } from './tokenStore';
import { ApiError, NetworkError } from './types';
import {
  EXPIRED_MESSAGE,
  jwtSubject,
  Session,
  STORAGE_KEY,
  type LockLike,
  type SessionEvent,
} from './session';
import { UsersApi } from './users';

/** What the tokens store holds (localStorage-backed in jsdom) and the marker. */
const stored = () => ({
  token: window.localStorage.getItem(TOKEN_KEY) ?? '',
  sub: JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? 'null')?.sub,
});

/** A Web Locks stand-in that serializes callbacks per name, like navigator.locks. */
function fakeLocks() {
  const queues = new Map<string, Promise<unknown>>();
  const request = vi.fn((name: string, cb: () => Promise<unknown>): Promise<unknown> => {
    const prev = queues.get(name) ?? Promise.resolve();
    const run = prev.then(cb, cb);
    queues.set(
      name,
      run.catch(() => undefined),
    );
    return run;
  });
  return { request, locks: { request } as unknown as LockLike };
}

let fake: FakeApi;
beforeEach(() => {
  fake = new FakeApi().install();
  fake.addUser({ username: 'bob', email: 'bob@example.com', password: 'bobpass12' });
});

describe('Session', () => {
  it('login keeps the access token in memory and only the refresh token in storage', async () => {
    const s = new Session({ locks: null });
    await s.login('bob@example.com', 'bobpass12');
    const raw = JSON.stringify({ ...window.localStorage });
    // The marker other tabs watch carries no secret.
    expect(JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? '')).toEqual({ sub: '2' });
    const [pair] = fake.callsTo('POST', '/auth/login');
    expect(pair).toBeDefined();
    expect(stored().token).toMatch(/^r\d+-2$/);
    expect(stored().sub).toBe('2');
    // No access token ends up in storage.
    expect(raw).not.toContain('.sig');
    expect(s.hasSession()).toBe(true);
    expect(s.userId()).toBe('2');
  });

  it('sends the access token as a Bearer header', async () => {
    const s = new Session({ locks: null });
    await s.login('bob@example.com', 'bobpass12');
    const res = await s.request<{ username: string }>('GET', '/auth/status');
    expect(res.data.username).toBe('bob');
    expect(fake.callsTo('GET', '/auth/status')[0].auth).toMatch(/^Bearer .+\.sig$/);
    expect(fake.callsTo('POST', '/auth/refresh')).toHaveLength(0);
  });

  it('on a 401 refreshes once, stores the rotated refresh token, and retries', async () => {
    const s = new Session({ locks: null });
    await s.login('bob@example.com', 'bobpass12');
    const before = stored().token;
    fake.expireAccessTokens();
    const res = await s.request<{ username: string }>('GET', '/auth/status');
    expect(res.data.username).toBe('bob');
    const refreshes = fake.callsTo('POST', '/auth/refresh');
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0].body).toEqual({ refresh_token: before });
    expect(stored().token).not.toBe(before);
    expect(fake.refresh.get(stored().token)?.used).toBe(false);
    const statuses = fake.callsTo('GET', '/auth/status');
    expect(statuses).toHaveLength(2);
    expect(statuses[1].auth).not.toBe(statuses[0].auth);
  });

  it('does not refresh more than once per request when the retry is refused too', async () => {
    const s = new Session({ locks: null });
    await s.login('bob@example.com', 'bobpass12');
    fake.expireAccessTokens();
    const always401 = () =>
      new Response(JSON.stringify({ message: 'Invalid token. Please log in again.' }), {
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    fake.intercept((c) => (c.path === '/users/2' ? always401() : undefined));
    fake.intercept((c) => (c.path === '/users/2' ? always401() : undefined));
    await expect(s.request('GET', '/users/2')).rejects.toMatchObject({ status: 401 });
    expect(fake.callsTo('POST', '/auth/refresh')).toHaveLength(1);
    expect(fake.callsTo('GET', '/users/2')).toHaveLength(2);
  });

  it('concurrent 401s share one refresh', async () => {
    const s = new Session({ locks: null });
    await s.login('bob@example.com', 'bobpass12');
    fake.expireAccessTokens();
    const results = await Promise.all([
      s.request('GET', '/auth/status'),
      s.request('GET', '/users?limit=10&offset=0'),
      s.request('GET', '/users/1'),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(fake.callsTo('POST', '/auth/refresh')).toHaveLength(1);
  });

  it('when the refresh is refused it clears the session and reports it expired', async () => {
    const s = new Session({ locks: null });
    await s.login('bob@example.com', 'bobpass12');
    fake.expireAccessTokens();
    fake.refresh.clear(); // every refresh token revoked
    const events: SessionEvent[] = [];
    s.subscribe((e) => events.push(e));
    await expect(s.request('GET', '/auth/status')).rejects.toMatchObject({
      status: 401,
      message: EXPIRED_MESSAGE,
    });
    expect(events).toEqual([{ type: 'expired', message: EXPIRED_MESSAGE }]);
    expect(window.localStorage.getItem(STORAGE_KEY)).toBeNull();
    expect(s.hasSession()).toBe(false);
  });

  it('keeps the refresh token when the network fails during a refresh', async () => {
    const s = new Session({ locks: null });
    await s.login('bob@example.com', 'bobpass12');
    const token = stored().token;
    fake.expireAccessTokens();
    fake.intercept((c) => {
      if (c.path === '/auth/refresh') throw new TypeError('Failed to fetch');
      return undefined;
    });
    await expect(s.request('GET', '/auth/status')).rejects.toBeInstanceOf(NetworkError);
    expect(stored().token).toBe(token);
  });

  it('restores a stored session after a reload by refreshing', async () => {
    storeSession(fake, 'bob@example.com');
    const s = new Session({ locks: null });
    const api = new UsersApi(s);
    expect(s.hasSession()).toBe(true);
    const me = await api.status();
    expect(me.username).toBe('bob');
    expect(fake.callsTo('POST', '/auth/refresh')).toHaveLength(1);
  });

  it('refreshes before sending when the access token is about to expire', async () => {
    let now = 1_000_000;
    const s = new Session({ locks: null, now: () => now });
    await s.login('bob@example.com', 'bobpass12');
    now += 895_000; // 5 s before the 900 s lifetime ends
    await s.request('GET', '/auth/status');
    expect(fake.callsTo('POST', '/auth/refresh')).toHaveLength(1);
    expect(fake.callsTo('GET', '/auth/status')).toHaveLength(1);
  });

  it('logout revokes the refresh token on the server and forgets everything', async () => {
    const s = new Session({ locks: null });
    await s.login('bob@example.com', 'bobpass12');
    const token = stored().token;
    await s.logout();
    expect(fake.callsTo('POST', '/auth/logout')[0].body).toEqual({ refresh_token: token });
    expect(window.localStorage.getItem(STORAGE_KEY)).toBeNull();
    expect(fake.refresh.get(token)?.used).toBe(true);
    await expect(s.request('GET', '/auth/status')).rejects.toBeInstanceOf(ApiError);
  });

  it('logout still forgets the session locally when the server refuses', async () => {
    const s = new Session({ locks: null });
    await s.login('bob@example.com', 'bobpass12');
    fake.refresh.clear();
    await s.logout();
    expect(window.localStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it('does not refresh and retry a 401 for a wrong current password', async () => {
    const s = new Session({ locks: null });
    const api = new UsersApi(s);
    await s.login('bob@example.com', 'bobpass12');
    await expect(api.changePassword('wrong-one', 'newpass123')).rejects.toMatchObject({
      status: 401,
      message: 'Current password is wrong.',
    });
    expect(fake.callsTo('POST', '/auth/refresh')).toHaveLength(0);
    expect(s.hasSession()).toBe(true);
  });

  it('does not leak the refresh token through its public surface', async () => {
    const s = new Session({ locks: null });
    await s.login('bob@example.com', 'bobpass12');
    const token = stored().token;
    const visible = Object.getOwnPropertyNames(Object.getPrototypeOf(s))
      .filter((k) => !['constructor'].includes(k))
      .map((k) => {
        const v = (s as unknown as Record<string, unknown>)[k];
        return typeof v === 'function' && v.length === 0 && ['hasSession', 'userId'].includes(k)
          ? String((v as () => unknown).call(s))
          : '';
      });
    expect(visible.join(' ')).not.toContain(token);
  });
});

describe('Session across tabs', () => {
  it('serializes refreshes under one Web Lock and re-reads the rotated token inside it', async () => {
    const { request, locks } = fakeLocks();
    // Two tabs: two sessions over the same storage, both holding expired access tokens.
    const a = new Session({ locks });
    const b = new Session({ locks });
    await a.login('bob@example.com', 'bobpass12');
    fake.expireAccessTokens();
    const [ra, rb] = await Promise.all([
      a.request<{ username: string }>('GET', '/auth/status'),
      b.request<{ username: string }>('GET', '/auth/status'),
    ]);
    expect(ra.data.username).toBe('bob');
    expect(rb.data.username).toBe('bob');
    const refreshes = fake.callsTo('POST', '/auth/refresh');
    expect(refreshes).toHaveLength(2);
    // The second tab used the token the first one stored, never a used one.
    const sent = refreshes.map((c) => (c.body as { refresh_token: string }).refresh_token);
    expect(sent[0]).not.toBe(sent[1]);
    expect(request).toHaveBeenCalledWith('users-client.refresh', expect.any(Function));
    expect(fake.refresh.get(stored().token)?.used).toBe(false);
  });

  it('without serialization two tabs would replay a used token (what the lock prevents)', async () => {
    // Sanity check of the fake: a used token is refused.
    const s = new Session({ locks: null });
    await s.login('bob@example.com', 'bobpass12');
    const token = stored().token;
    fake.refresh.get(token)!.used = true;
    fake.expireAccessTokens();
    await expect(s.request('GET', '/auth/status')).rejects.toMatchObject({ status: 401 });
  });

  it('reports a logout in another tab through the storage event', async () => {
    const s = new Session({ locks: null });
    await s.login('bob@example.com', 'bobpass12');
    const events: SessionEvent[] = [];
    s.subscribe((e) => events.push(e));
    const stop = s.watchOtherTabs(window);
    const old = window.localStorage.getItem(STORAGE_KEY);
    window.dispatchEvent(
      new StorageEvent('storage', { key: STORAGE_KEY, oldValue: old, newValue: null }),
    );
    expect(events).toEqual([{ type: 'logged-out-elsewhere' }]);
    stop();
  });

  it('ignores a marker rewrite for the same user but reports a different user', async () => {
    const s = new Session({ locks: null });
    await s.login('bob@example.com', 'bobpass12');
    const events: SessionEvent[] = [];
    s.subscribe((e) => events.push(e));
    const stop = s.watchOtherTabs(window);
    const old = window.localStorage.getItem(STORAGE_KEY);
    const rotated = JSON.stringify({ sub: '2' });
    window.dispatchEvent(
      new StorageEvent('storage', { key: STORAGE_KEY, oldValue: old, newValue: rotated }),
    );
    expect(events).toEqual([]);
    const other = JSON.stringify({ sub: '1' });
    window.dispatchEvent(
      new StorageEvent('storage', { key: STORAGE_KEY, oldValue: rotated, newValue: other }),
    );
    expect(events).toEqual([{ type: 'user-changed' }]);
    stop();
  });
});

describe('Session with a slow token store', () => {
  it('commits the rotated token before releasing the lock', async () => {
    const log: string[] = [];
    let value: string | null = null;
    const tokens = {
      get: async () => value,
      set: async (t: string) => {
        await new Promise((r) => setTimeout(r, 20)); // e.g. an IndexedDB commit
        value = t;
        log.push(`set ${t}`);
      },
      delete: async () => {
        value = null;
      },
    };
    const locks = {
      request: async <T>(_name: string, cb: () => Promise<T>) => {
        log.push('lock');
        const r = await cb();
        log.push('unlock');
        return r;
      },
    } as LockLike;
    const s = new Session({ locks, tokens });
    await s.login('bob@example.com', 'bobpass12');
    fake.expireAccessTokens();
    await s.request('GET', '/auth/status');
    expect(log).toEqual([
      'lock',
      expect.stringMatching(/^set r/),
      'unlock',
      'lock',
      expect.stringMatching(/^set r/),
      'unlock',
    ]);
    expect(fake.refresh.get(value!)?.used).toBe(false);
  });

  it('reports no expiry when nothing was ever stored', async () => {
    const s = new Session({ locks: null });
    const events: SessionEvent[] = [];
    s.subscribe((e) => events.push(e));
    await expect(s.request('GET', '/auth/status')).rejects.toMatchObject({ status: 401 });
    expect(events).toEqual([]);
    expect(fake.calls).toHaveLength(0);
  });
});

describe('jwtSubject', () => {
  it('reads sub from the payload and tolerates garbage', () => {
    const payload = btoa(JSON.stringify({ sub: '42' })).replace(/=+$/, '');
    expect(jwtSubject(`x.${payload}.y`)).toBe('42');
    expect(jwtSubject('not a jwt')).toBe('');
  });
});
