import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { STORAGE_KEY } from './api/session';
import { expectAccessible } from './test/axe';
import { renderApp } from './test/render';

describe('App', () => {
  it('shows a visitor the welcome page leading to log in or register, not a table', async () => {
    const { fake } = renderApp();
    expect(await screen.findByRole('heading', { level: 1, name: 'Welcome' })).toBeInTheDocument();
    const main = within(screen.getByRole('main'));
    expect(main.getByRole('link', { name: 'Log in' })).toHaveAttribute('href', '/login');
    expect(main.getByRole('link', { name: 'Create an account' })).toHaveAttribute(
      'href',
      '/register',
    );
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(fake.calls).toHaveLength(0);
    await expectAccessible();
  });

  it('sends a visitor who asks for /users to the login page', async () => {
    renderApp({ path: '/directory' });
    expect(await screen.findByRole('heading', { level: 1, name: 'Log in' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/login');
  });

  it('restores a stored session after a reload and shows the users', async () => {
    const { fake } = renderApp({ path: '/', loggedInAs: 'admin@example.com' });
    expect(await screen.findByRole('heading', { level: 1, name: 'Users' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/directory');
    expect(fake.callsTo('POST', '/auth/refresh')).toHaveLength(1);
    expect(screen.getByRole('navigation', { name: 'Main' })).toHaveTextContent('admin');
  });

  it('returns to the login page with a message when the stored session is dead', async () => {
    const { fake } = renderApp({ path: '/directory', loggedInAs: 'admin@example.com' });
    fake.refresh.clear();
    expect(await screen.findByRole('heading', { level: 1, name: 'Log in' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(/session has expired/i);
    expect(window.localStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it('goes to the login page with a message when a refresh fails mid-session', async () => {
    const { fake, user } = renderApp({ path: '/directory', loggedInAs: 'admin@example.com' });
    await screen.findByRole('cell', { name: 'admin@example.com' });
    fake.expireAccessTokens();
    fake.refresh.clear();
    await user.click(screen.getByRole('link', { name: 'My account' }));
    await user.click(await screen.findByRole('button', { name: 'Edit profile' }));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Log in' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(/session has expired/i);
  });

  it('follows a logout in another tab', async () => {
    renderApp({ path: '/directory', loggedInAs: 'admin@example.com' });
    await screen.findByRole('heading', { level: 1, name: 'Users' });
    const old = window.localStorage.getItem(STORAGE_KEY);
    window.localStorage.removeItem(STORAGE_KEY);
    window.dispatchEvent(
      new StorageEvent('storage', { key: STORAGE_KEY, oldValue: old, newValue: null }),
    );
    expect(await screen.findByRole('heading', { level: 1, name: 'Welcome' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(/logged out in another tab/);
  });

  it('shows a not-found page for unknown paths', async () => {
    renderApp({ path: '/nowhere' });
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
  });

  it('moves focus to the page heading on navigation', async () => {
    const { user } = renderApp();
    await user.click(await screen.findByRole('link', { name: 'Create an account' }));
    const h1 = await screen.findByRole('heading', { level: 1, name: 'Create an account' });
    await waitFor(() => expect(h1).toHaveFocus());
    expect(document.title).toBe('Create an account · Users');
  });
});
