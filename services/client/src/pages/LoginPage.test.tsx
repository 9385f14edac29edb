import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { STORAGE_KEY } from '../api/session';
import { expectAccessible } from '../test/axe';
import { renderApp } from '../test/render';

describe('LoginPage', () => {
  it('is accessible', async () => {
    renderApp({ path: '/login' });
    await screen.findByRole('heading', { level: 1, name: 'Log in' });
    await expectAccessible();
  });

  it('checks the fields before sending anything', async () => {
    const { user, fake } = renderApp({ path: '/login' });
    await user.type(await screen.findByLabelText('Email'), 'not-an-email');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription(/one @/);
    expect(screen.getByLabelText('Email')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(/required/);
    expect(screen.getByLabelText('Email')).toHaveFocus();
    expect(fake.calls).toHaveLength(0);
    await expectAccessible();
  });

  it("shows the server's refusal", async () => {
    const { user } = renderApp({ path: '/login' });
    await user.type(await screen.findByLabelText('Email'), 'admin@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrongpass');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid email or password.');
    expect(window.localStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it('shows the wait time when rate limited', async () => {
    const { user, fake } = renderApp({ path: '/login' });
    fake.intercept(
      () =>
        new Response(JSON.stringify({ message: 'Too many failed logins.' }), {
          status: 429,
          headers: { 'Retry-After': '120' },
        }),
    );
    await user.type(await screen.findByLabelText('Email'), 'admin@example.com');
    await user.type(screen.getByLabelText('Password'), 'adminpass1');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Too many failed logins. Try again in 120 seconds.',
    );
  });

  it('logs in with the keyboard alone and lands on the users table', async () => {
    const { user } = renderApp({ path: '/login' });
    await screen.findByRole('heading', { level: 1, name: 'Log in' });
    await user.click(screen.getByLabelText('Email'));
    await user.keyboard(' Admin@Example.com ');
    await user.tab();
    await user.keyboard('adminpass1{Enter}');
    expect(await screen.findByRole('heading', { level: 1, name: 'Users' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Welcome, admin! You are logged in.');
    expect(window.localStorage.getItem(STORAGE_KEY)).not.toBeNull();
  });
});
