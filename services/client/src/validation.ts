// The contract's field rules (API.md), checked before anything is sent.
import type { FieldErrors } from './api/types';

const encoder = new TextEncoder();
export const byteLength = (s: string): number => encoder.encode(s).length;

export function validateUsername(value: string): string | undefined {
  if (value.length === 0) return 'Username is required.';
  if (value.length < 3 || value.length > 64) return 'Username must be 3 to 64 characters.';
  if (!/^[A-Za-z0-9_.-]+$/.test(value))
    return 'Username may contain only letters, digits, _ . and -.';
  return undefined;
}

export function validateEmail(raw: string): string | undefined {
  const value = raw.trim();
  if (value.length === 0) return 'Email is required.';
  if (byteLength(value) > 254) return 'Email must be at most 254 bytes.';
  const parts = value.split('@');
  if (parts.length !== 2) return 'Email must contain exactly one @.';
  const [local, domain] = parts;
  if (local.length === 0) return 'Email needs a name before the @.';
  const labels = domain.split('.');
  if (labels.length < 2 || labels.some((l) => l.length === 0))
    return 'Email needs a domain with a dot, like example.com.';
  return undefined;
}

export function validatePassword(value: string, label = 'Password'): string | undefined {
  const n = byteLength(value);
  if (n === 0) return `${label} is required.`;
  if (n < 8) return `${label} must be at least 8 characters.`;
  if (n > 72) return `${label} must be at most 72 bytes.`;
  return undefined;
}

export function required(value: string, label: string): string | undefined {
  return value.length === 0 ? `${label} is required.` : undefined;
}

/** Keeps only the fields that have an error; empty object means valid. */
export function collect(checks: Record<string, string | undefined>): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(checks)) if (v) out[k] = v;
  return out;
}
