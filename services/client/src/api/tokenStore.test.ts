import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { FallbackTokenStore, IdbTokenStore, LocalTokenStore, TOKEN_KEY } from './tokenStore';

describe('IdbTokenStore', () => {
  it('stores, reads and deletes the refresh token; another instance sees the write', async () => {
    const idb = new IDBFactory();
    const a = new IdbTokenStore(idb);
    const b = new IdbTokenStore(idb); // a second tab on the same database
    expect(await a.get()).toBeNull();
    await a.set('r1');
    expect(await b.get()).toBe('r1');
    await b.set('r2');
    expect(await a.get()).toBe('r2');
    await a.delete();
    expect(await b.get()).toBeNull();
  });
});

describe('LocalTokenStore', () => {
  it('keeps the token under its own key', async () => {
    const s = new LocalTokenStore(window.localStorage);
    await s.set('r9');
    expect(window.localStorage.getItem(TOKEN_KEY)).toBe('r9');
    expect(await s.get()).toBe('r9');
    await s.delete();
    expect(await s.get()).toBeNull();
  });
});

describe('FallbackTokenStore', () => {
  it('switches to the backup for good when the primary fails', async () => {
    const broken = {
      get: () => Promise.reject(new Error('IndexedDB refused')),
      set: () => Promise.reject(new Error('IndexedDB refused')),
      delete: () => Promise.reject(new Error('IndexedDB refused')),
    };
    const s = new FallbackTokenStore(broken, new LocalTokenStore(window.localStorage));
    await s.set('r5');
    expect(await s.get()).toBe('r5');
    expect(window.localStorage.getItem(TOKEN_KEY)).toBe('r5');
  });
});
