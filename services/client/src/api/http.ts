import { API_URL } from './config';
import { ApiError, NetworkError, type FieldErrors } from './types';

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  data: T;
}

/**
 * One HTTP exchange with the API: JSON in, JSON out. Non-2xx answers become
 * ApiError carrying the server's message and per-field errors.
 */
export async function sendJson<T>(
  method: string,
  path: string,
  body?: unknown,
  accessToken?: string,
): Promise<HttpResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  let res: Response;
  try {
    res = await fetch(`${API_URL}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new NetworkError();
  }
  let parsed: unknown = null;
  if (res.status !== 204) {
    const text = await res.text().catch(() => '');
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
  }
  if (!res.ok) {
    const obj = (parsed && typeof parsed === 'object' ? parsed : {}) as {
      message?: unknown;
      errors?: unknown;
    };
    let message =
      typeof obj.message === 'string' && obj.message
        ? obj.message
        : `Request failed (HTTP ${res.status}).`;
    const retryAfter = res.headers.get('Retry-After');
    if (res.status === 429 && retryAfter && /^\d+$/.test(retryAfter)) {
      message += ` Try again in ${retryAfter} seconds.`;
    }
    const errors: FieldErrors = {};
    if (obj.errors && typeof obj.errors === 'object') {
      for (const [k, v] of Object.entries(obj.errors as Record<string, unknown>)) {
        if (typeof v === 'string') errors[k] = v;
      }
    }
    throw new ApiError(res.status, message, errors);
  }
  return { status: res.status, headers: res.headers, data: parsed as T };
}
