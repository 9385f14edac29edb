import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { STORAGE_KEY } from '../api/session';
import { TOKEN_KEY } from '../api/tokenStore';
import { expectAccessible } from '../test/axe';
import { FakeApi } from '../test/fakeApi';
import { renderApp } from '../test/render';

function fakeWithBob() {
  const fake = new FakeApi();
  fake.addUser({ username: 'bob', email: 'bob@example.com', password: 'bobpass12' });
  return fake;
}

const refreshToken = () => window.localStorage.getItem(TOKEN_KEY) ?? '';

describe('AccountPage', () => {
  it('shows the account from /auth/status', async () => {
    renderApp({ path: '/account', fake: fakeWithBob(), loggedInAs: 'bob@example.com' });
    await screen.findByRole('heading', { level: 1, name: 'My account' });
    const profile = within(screen.getByRole('region', { name: 'Profile' }));
    expect(profile.getByText('bob@example.com')).toBeInTheDocument();
    expect(profile.getByText('User')).toBeInTheDocument();
    expect(profile.getByText('Active')).toBeInTheDocument();
    await expectAccessible();
  });

  it('validates the change-password form before sending', async () => {
    const { user, fake } = renderApp({
      path: '/account',
      fake: fakeWithBob(),
      loggedInAs: 'bob@example.com',
    });
    await user.type(await screen.findByLabelText('New password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByLabelText('Current password')).toHaveAccessibleDescription(/required/);
    expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(/at least 8/);
    expect(screen.getByLabelText('Repeat new password')).toHaveAccessibleDescription(
      /do not match/,
    );
    expect(fake.callsTo('PUT', '/auth/password')).toHaveLength(0);
  });

  it('shows a wrong current password next to that field', async () => {
    const { user, fake } = renderApp({
      path: '/account',
      fake: fakeWithBob(),
      loggedInAs: 'bob@example.com',
    });
    await user.type(await screen.findByLabelText('Current password'), 'notmypass');
    await user.type(screen.getByLabelText('New password'), 'newpass123');
    await user.type(screen.getByLabelText('Repeat new password'), 'newpass123');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Current password is wrong.');
    expect(screen.getByLabelText('Current password')).toHaveAccessibleDescription(
      'Current password is wrong.',
    );
    // Still logged in: a wrong password is not a session problem.
    expect(screen.getByRole('heading', { level: 1, name: 'My account' })).toBeInTheDocument();
    expect(fake.callsTo('POST', '/auth/refresh')).toHaveLength(1); // the restore only
  });

  it('changes the password and logs in again, since the server revoked the refresh tokens', async () => {
    const { user, fake } = renderApp({
      path: '/account',
      fake: fakeWithBob(),
      loggedInAs: 'bob@example.com',
    });
    await user.type(await screen.findByLabelText('Current password'), 'bobpass12');
    await user.type(screen.getByLabelText('New password'), 'newpass123');
    await user.type(screen.getByLabelText('Repeat new password'), 'newpass123');
    const before = refreshToken();
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Your password was changed.');
    expect(fake.callsTo('PUT', '/auth/password')[0].body).toEqual({
      current_password: 'bobpass12',
      new_password: 'newpass123',
    });
    expect(fake.callsTo('POST', '/auth/login').at(-1)?.body).toEqual({
      email: 'bob@example.com',
      password: 'newpass123',
    });
    const after = refreshToken();
    expect(after).not.toBe(before);
    expect(fake.refresh.get(after)?.used).toBe(false);
    expect(screen.getByLabelText('Current password')).toHaveValue('');
  });

  it('edits the own profile', async () => {
    const { user } = renderApp({
      path: '/account',
      fake: fakeWithBob(),
      loggedInAs: 'bob@example.com',
    });
    await user.click(await screen.findByRole('button', { name: 'Edit profile' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit bob' });
    const name = within(dialog).getByLabelText('Username');
    await user.clear(name);
    await user.type(name, 'bobby');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByRole('status')).toHaveTextContent('User bobby was saved.');
    expect(
      within(screen.getByRole('region', { name: 'Profile' })).getByText('bobby'),
    ).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Main' })).toHaveTextContent('bobby');
  });

  it('deletes the own account after confirmation and logs out', async () => {
    const { user, fake } = renderApp({
      path: '/account',
      fake: fakeWithBob(),
      loggedInAs: 'bob@example.com',
    });
    await user.click(await screen.findByRole('button', { name: 'Delete my account' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Delete your account?' });
    await user.click(within(confirm).getByRole('button', { name: 'Delete my account' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Welcome' })).toBeInTheDocument();
    expect(fake.callsTo('DELETE', '/users/2')).toHaveLength(1);
    expect(window.localStorage.getItem(STORAGE_KEY)).toBeNull();
  });
});
