/**
 * Where the refresh token is kept between page loads.
 *
 * In browsers: IndexedDB. Its transactions are committed by the browser
 * process, so a tab that reads after another tab's write has completed sees
 * the new value. localStorage gives no such promise across tabs — Chromium
 * copies it into each renderer and propagates writes asynchronously — so a
 * tab could take the refresh lock right after another released it and still
 * read the old, already-used token. (The e2e suite caught exactly that.)
 *
 * Without IndexedDB (jsdom in unit tests, some private modes) it falls back
 * to localStorage.
 */
export interface TokenStore {
  get(): Promise<string | null>;
  set(token: string): Promise<void>;
  delete(): Promise<void>;
}

export const TOKEN_KEY = 'users-client.refresh';

export class LocalTokenStore implements TokenStore {
  constructor(private readonly storage: Storage = window.localStorage) {}

  async get(): Promise<string | null> {
    return this.storage.getItem(TOKEN_KEY);
  }

  async set(token: string): Promise<void> {
    this.storage.setItem(TOKEN_KEY, token);
  }

  async delete(): Promise<void> {
    this.storage.removeItem(TOKEN_KEY);
  }
}

const DB_NAME = 'users-client';
const OBJECT_STORE = 'session';

export class IdbTokenStore implements TokenStore {
  private db: Promise<IDBDatabase> | null = null;

  constructor(private readonly idb: IDBFactory = indexedDB) {}

  private open(): Promise<IDBDatabase> {
    if (!this.db) {
      this.db = new Promise((resolve, reject) => {
        const req = this.idb.open(DB_NAME, 1);
        req.onupgradeneeded = () => req.result.createObjectStore(OBJECT_STORE);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      this.db.catch(() => {
        this.db = null;
      });
    }
    return this.db;
  }

  /** Runs one request in its own transaction and resolves once it has committed. */
  private async run<T>(
    mode: IDBTransactionMode,
    op: (store: IDBObjectStore) => IDBRequest,
  ): Promise<T> {
    const db = await this.open();
    return new Promise<T>((resolve, reject) => {
      const tx = db.transaction(OBJECT_STORE, mode);
      const req = op(tx.objectStore(OBJECT_STORE));
      tx.oncomplete = () => resolve(req.result as T);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  async get(): Promise<string | null> {
    const v = await this.run<unknown>('readonly', (s) => s.get('refresh'));
    return typeof v === 'string' ? v : null;
  }

  async set(token: string): Promise<void> {
    await this.run('readwrite', (s) => s.put(token, 'refresh'));
  }

  async delete(): Promise<void> {
    await this.run('readwrite', (s) => s.delete('refresh'));
  }
}

/** Uses `primary` until it fails once (e.g. IndexedDB refused in a private window), then `backup`. */
export class FallbackTokenStore implements TokenStore {
  private failed = false;

  constructor(
    private readonly primary: TokenStore,
    private readonly backup: TokenStore,
  ) {}

  private async use<T>(op: (s: TokenStore) => Promise<T>): Promise<T> {
    if (!this.failed) {
      try {
        return await op(this.primary);
      } catch {
        this.failed = true;
      }
    }
    return op(this.backup);
  }

  get(): Promise<string | null> {
    return this.use((s) => s.get());
  }

  set(token: string): Promise<void> {
    return this.use((s) => s.set(token));
  }

  delete(): Promise<void> {
    return this.use((s) => s.delete());
  }
}

export function defaultTokenStore(): TokenStore {
  if (typeof indexedDB === 'undefined') return new LocalTokenStore();
  return new FallbackTokenStore(new IdbTokenStore(), new LocalTokenStore());
}
