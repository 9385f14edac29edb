import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { STORAGE_KEY } from '../api/session';
import { TOKEN_KEY } from '../api/tokenStore';
import { renderApp } from '../test/render';

describe('Nav', () => {
  it('offers log in and register to a visitor', async () => {
    renderApp();
    const nav = within(await screen.findByRole('navigation', { name: 'Main' }));
    expect(nav.getByRole('link', { name: 'Log in' })).toBeInTheDocument();
    expect(nav.getByRole('link', { name: 'Register' })).toBeInTheDocument();
    expect(nav.queryByRole('button', { name: 'Log out' })).not.toBeInTheDocument();
  });

  it('marks the current page and shows who is logged in', async () => {
    renderApp({ path: '/directory', loggedInAs: 'admin@example.com' });
    await screen.findByRole('heading', { level: 1, name: 'Users' });
    const nav = within(screen.getByRole('navigation', { name: 'Main' }));
    expect(nav.getByRole('link', { name: 'Users' })).toHaveAttribute('aria-current', 'page');
    expect(nav.getByRole('link', { name: 'My account' })).not.toHaveAttribute('aria-current');
    expect(nav.getByText(/Logged in as/)).toBeInTheDocument();
  });

  it('logs out through /auth/logout and returns to the welcome page', async () => {
    const { user, fake } = renderApp({ path: '/directory', loggedInAs: 'admin@example.com' });
    await screen.findByRole('heading', { level: 1, name: 'Users' });
    const token = window.localStorage.getItem(TOKEN_KEY);
    await user.click(screen.getByRole('button', { name: 'Log out' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Welcome' })).toBeInTheDocument();
    expect(fake.callsTo('POST', '/auth/logout')[0].body).toEqual({ refresh_token: token });
    expect(window.localStorage.getItem(STORAGE_KEY)).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent('You are logged out.');
  });
});
