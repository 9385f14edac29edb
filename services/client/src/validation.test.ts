import { describe, expect, it } from 'vitest';
import { collect, validateEmail, validatePassword, validateUsername } from './validation';

describe('field rules', () => {
  it('username: 3 to 64 of A-Z a-z 0-9 _ . -', () => {
    expect(validateUsername('ada')).toBeUndefined();
    expect(validateUsername('a.b_c-D9')).toBeUndefined();
    expect(validateUsername('x'.repeat(64))).toBeUndefined();
    expect(validateUsername('')).toMatch(/required/);
    expect(validateUsername('ab')).toMatch(/3 to 64/);
    expect(validateUsername('x'.repeat(65))).toMatch(/3 to 64/);
    expect(validateUsername('ada lovelace')).toMatch(/only letters/);
    expect(validateUsername('adä')).toMatch(/only letters/);
  });

  it('email: one @, non-empty local part, dotted domain, at most 254 bytes', () => {
    expect(validateEmail('ada@example.com')).toBeUndefined();
    expect(validateEmail('  Ada@Example.com ')).toBeUndefined();
    expect(validateEmail('')).toMatch(/required/);
    expect(validateEmail('ada.example.com')).toMatch(/one @/);
    expect(validateEmail('a@b@example.com')).toMatch(/one @/);
    expect(validateEmail('@example.com')).toMatch(/before the @/);
    expect(validateEmail('ada@localhost')).toMatch(/domain/);
    expect(validateEmail(`${'a'.repeat(243)}@example.com`)).toMatch(/254/);
    expect(validateEmail(`${'a'.repeat(242)}@example.com`)).toBeUndefined();
  });

  it('password: 8 to 72 bytes, counted as UTF-8', () => {
    expect(validatePassword('12345678')).toBeUndefined();
    expect(validatePassword('')).toMatch(/required/);
    expect(validatePassword('1234567')).toMatch(/at least 8/);
    expect(validatePassword('x'.repeat(72))).toBeUndefined();
    expect(validatePassword('x'.repeat(73))).toMatch(/72 bytes/);
    // 37 two-byte characters = 74 bytes: too long although only 37 characters.
    expect(validatePassword('é'.repeat(37))).toMatch(/72 bytes/);
    expect(validatePassword('x', 'New password')).toMatch(/^New password/);
  });

  it('collect keeps only failures', () => {
    expect(collect({ a: undefined, b: 'bad' })).toEqual({ b: 'bad' });
  });
});
