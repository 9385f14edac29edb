import { afterEach, describe, expect, it, vi } from 'vitest';
import { sendJson } from './http';
import { ApiError, NetworkError } from './types';

const respond = (status: number, body: string | null, headers: Record<string, string> = {}) =>
  vi.fn(async () => new Response(body, { status, headers }));

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('sendJson', () => {
  it('sends JSON with the bearer token and parses the answer', async () => {
    const fetch = respond(200, '{"ok":true}', { 'X-Total-Count': '7' });
    vi.stubGlobal('fetch', fetch);
    const res = await sendJson<{ ok: boolean }>('POST', '/users', { a: 1 }, 'tok');
    expect(res.data).toEqual({ ok: true });
    expect(res.headers.get('X-Total-Count')).toBe('7');
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/users');
    expect(init.method).toBe('POST');
    expect(init.body).toBe('{"a":1}');
    expect(init.headers).toMatchObject({
      'Content-Type': 'application/json',
      Authorization: 'Bearer tok',
    });
  });

  it('sends no body and no content type for a GET', async () => {
    const fetch = respond(200, '[]');
    vi.stubGlobal('fetch', fetch);
    await sendJson('GET', '/users');
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(init.body).toBeUndefined();
    expect(init.headers).not.toHaveProperty('Content-Type');
    expect(init.headers).not.toHaveProperty('Authorization');
  });

  it('accepts 204 No Content', async () => {
    vi.stubGlobal('fetch', respond(204, null));
    expect((await sendJson('POST', '/auth/logout', {})).data).toBeNull();
  });

  it("turns a refusal into an ApiError with the server's message and field errors", async () => {
    vi.stubGlobal(
      'fetch',
      respond(400, '{"message":"Input payload validation failed","errors":{"email":"bad","n":3}}'),
    );
    const err = await sendJson('POST', '/auth/register', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 400,
      message: 'Input payload validation failed',
      errors: { email: 'bad' },
    });
  });

  it('copes with an error that is not JSON', async () => {
    vi.stubGlobal('fetch', respond(502, '<html>Bad gateway</html>'));
    await expect(sendJson('GET', '/users')).rejects.toMatchObject({
      status: 502,
      message: 'Request failed (HTTP 502).',
    });
  });

  it('reports an unreachable server as a NetworkError', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    await expect(sendJson('GET', '/ping')).rejects.toBeInstanceOf(NetworkError);
  });

  it('prefixes VITE_API_URL when it is set at build time', async () => {
    vi.stubEnv('VITE_API_URL', 'https://api.example.com/');
    vi.resetModules();
    const { sendJson: send } = await import('./http');
    const fetch = respond(200, '{}');
    vi.stubGlobal('fetch', fetch);
    await send('GET', '/ping');
    expect(fetch.mock.calls[0]).toContain('https://api.example.com/ping');
  });
});
