import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { Session } from './api/session';
import { UsersApi } from './api/users';
import { ApiError, type User } from './api/types';
import { useNotices } from './components/Notices';
import { navigate } from './router';

export interface AppState {
  api: UsersApi;
  /** null: nobody logged in. */
  user: User | null;
  /** true while a stored session is being restored. */
  restoring: boolean;
  setUser: (u: User | null) => void;
  login: (email: string, password: string) => Promise<User>;
  logout: () => Promise<void>;
  /** Drops the local session without the server (the account is gone). */
  forget: () => void;
}

const Ctx = createContext<AppState | null>(null);

export function AppProvider({ api, children }: { api: UsersApi; children: ReactNode }) {
  const session: Session = api.session;
  const { notify } = useNotices();
  const [user, setUser] = useState<User | null>(null);
  const [restoring, setRestoring] = useState<boolean>(() => session.hasSession());

  const loadUser = useCallback(async () => {
    try {
      setUser(await api.status());
    } catch (err) {
      setUser(null);
      // An expired session is reported by the session's `expired` event.
      if (!(err instanceof ApiError && err.status === 401)) {
        notify('error', err instanceof Error ? err.message : 'Could not load your account.');
      }
    } finally {
      setRestoring(false);
    }
  }, [api, notify]);

  // Restore a stored session once on start.
  useEffect(() => {
    if (session.hasSession()) void loadUser();
  }, [session, loadUser]);

  useEffect(() => {
    const unsubscribe = session.subscribe((e) => {
      if (e.type === 'expired') {
        setUser(null);
        notify('error', e.message);
        navigate('/login');
      } else if (e.type === 'logged-out-elsewhere') {
        setUser(null);
        notify('info', 'You were logged out in another tab.');
        navigate('/');
      } else if (e.type === 'user-changed') {
        setRestoring(true);
        void loadUser();
      }
    });
    const unwatch = session.watchOtherTabs();
    return () => {
      unsubscribe();
      unwatch();
    };
  }, [session, notify, loadUser]);

  const login = useCallback(
    async (email: string, password: string) => {
      await session.login(email, password);
      const u = await api.status();
      setUser(u);
      return u;
    },
    [api, session],
  );

  const logout = useCallback(async () => {
    await session.logout();
    setUser(null);
  }, [session]);

  const forget = useCallback(() => {
    void session.forget();
    setUser(null);
  }, [session]);

  const value = useMemo(
    () => ({ api, user, restoring, setUser, login, logout, forget }),
    [api, user, restoring, login, logout, forget],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useApp(): AppState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useApp outside AppProvider');
  return v;
}
