import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { Session, STORAGE_KEY } from '../api/session';
import { TOKEN_KEY } from '../api/tokenStore';
import { UsersApi } from '../api/users';
import { App } from '../App';
import { AppProvider } from '../app-context';
import { NoticeProvider } from '../components/Notices';
import { FakeApi } from './fakeApi';

export interface Harness {
  fake: FakeApi;
  api: UsersApi;
  user: ReturnType<typeof userEvent.setup>;
}

/** Stores a session for the given account, as if it had logged in before a reload. */
export function storeSession(fake: FakeApi, email: string): void {
  const acc = fake.accounts.find((a) => a.email === email);
  if (!acc) throw new Error(`no account ${email}`);
  const pair = fake.issue(acc.id);
  window.localStorage.setItem(TOKEN_KEY, pair.refresh_token);
  window.localStorage.setItem(STORAGE_KEY, JSON.stringify({ sub: String(acc.id) }));
}

/** Renders `ui` (default: the whole app) inside the app's providers at `path`. */
export function renderApp(
  opts: { path?: string; fake?: FakeApi; ui?: ReactNode; loggedInAs?: string } = {},
): Harness & ReturnType<typeof render> {
  const fake = opts.fake ?? new FakeApi();
  fake.install();
  if (opts.loggedInAs) storeSession(fake, opts.loggedInAs);
  window.history.replaceState(null, '', opts.path ?? '/');
  const api = new UsersApi(new Session({ locks: null }));
  const user = userEvent.setup();
  const r = render(
    <NoticeProvider>
      <AppProvider api={api}>{opts.ui ?? <App />}</AppProvider>
    </NoticeProvider>,
  );
  return { ...r, fake, api, user };
}
