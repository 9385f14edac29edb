import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { STORAGE_KEY } from '../api/session';
import { expectAccessible } from '../test/axe';
import { FakeApi } from '../test/fakeApi';
import { renderApp } from '../test/render';

function withUsers(n: number): FakeApi {
  const fake = new FakeApi();
  fake.addUser({ username: 'bob', email: 'bob@example.com', password: 'bobpass12' });
  for (let i = 3; i <= n; i++)
    fake.addUser({ username: `user${i}`, email: `user${i}@example.com`, password: 'password1' });
  return fake;
}

const rowOf = (name: string) => screen.getByRole('cell', { name }).closest('tr') as HTMLElement;

describe('UsersPage', () => {
  it('shows id, username, email, created, active and admin for each user', async () => {
    renderApp({ path: '/directory', fake: withUsers(2), loggedInAs: 'admin@example.com' });
    const table = await screen.findByRole('table');
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(headers).toEqual(['ID', 'Username', 'Email', 'Created', 'Active', 'Admin', 'Actions']);
    await screen.findByRole('cell', { name: 'bob@example.com' });
    const bob = within(rowOf('bob@example.com'));
    expect(bob.getByRole('cell', { name: '2' })).toBeInTheDocument();
    expect(bob.getAllByText('No')).toHaveLength(1);
    expect(bob.getByText('Yes')).toBeInTheDocument();
    expect(bob.getByRole('time')).toHaveAttribute('datetime', '2026-11-28T02:12:00Z');
    await expectAccessible();
  });

  it('pages with limit/offset and the X-Total-Count header', async () => {
    const { user, fake } = renderApp({
      path: '/directory',
      fake: withUsers(23),
      loggedInAs: 'admin@example.com',
    });
    expect(await screen.findByText(/Showing 1–10 of 23/)).toBeInTheDocument();
    expect(fake.callsTo('GET', '/users').at(-1)?.path).toBe('/users?limit=10&offset=0');
    expect(screen.getByRole('button', { name: 'Previous page' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText(/Showing 11–20 of 23/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText(/Showing 21–23 of 23 · Page 3 of 3/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();
    expect(fake.callsTo('GET', '/users').at(-1)?.path).toBe('/users?limit=10&offset=20');
    await user.selectOptions(screen.getByLabelText('Rows per page'), '25');
    expect(await screen.findByText(/Showing 1–23 of 23/)).toBeInTheDocument();
    expect(fake.callsTo('GET', '/users').at(-1)?.path).toBe('/users?limit=25&offset=0');
  });

  it('lets an admin add a user through a dialog, validating first', async () => {
    const { user, fake } = renderApp({
      path: '/directory',
      fake: withUsers(2),
      loggedInAs: 'admin@example.com',
    });
    await user.click(await screen.findByRole('button', { name: 'Add user' }));
    const dialog = screen.getByRole('dialog', { name: 'Add user' });
    expect(within(dialog).getByLabelText('Username')).toHaveFocus();
    await expectAccessible();
    await user.click(within(dialog).getByRole('button', { name: 'Add user' }));
    expect(within(dialog).getByLabelText('Password')).toHaveAccessibleDescription(/required/);
    expect(fake.callsTo('POST', '/users')).toHaveLength(0);
    await user.type(within(dialog).getByLabelText('Username'), 'carol');
    await user.type(within(dialog).getByLabelText('Email'), 'carol@example.com');
    await user.type(within(dialog).getByLabelText('Password'), 'carolpass1');
    await user.click(within(dialog).getByLabelText('Administrator'));
    await user.click(within(dialog).getByRole('button', { name: 'Add user' }));
    expect(await screen.findByRole('cell', { name: 'carol@example.com' })).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(fake.callsTo('POST', '/users')[0].body).toEqual({
      username: 'carol',
      email: 'carol@example.com',
      password: 'carolpass1',
      admin: true,
    });
    expect(screen.getByRole('status')).toHaveTextContent('User carol was added.');
    // Focus goes back to the button that opened the dialog.
    expect(screen.getByRole('button', { name: 'Add user' })).toHaveFocus();
  });

  it("shows the server's field error in the add dialog", async () => {
    const { user } = renderApp({
      path: '/directory',
      fake: withUsers(2),
      loggedInAs: 'admin@example.com',
    });
    await user.click(await screen.findByRole('button', { name: 'Add user' }));
    const dialog = screen.getByRole('dialog');
    await user.type(within(dialog).getByLabelText('Username'), 'BOB');
    await user.type(within(dialog).getByLabelText('Email'), 'other@example.com');
    await user.type(within(dialog).getByLabelText('Password'), 'password1');
    await user.click(within(dialog).getByRole('button', { name: 'Add user' }));
    expect(await within(dialog).findByText('That username already exists.')).toBeInTheDocument();
    expect(within(dialog).getByRole('alert')).toHaveTextContent(
      'Sorry. That username already exists.',
    );
  });

  it('lets an admin edit username, email, active and admin', async () => {
    const { user, fake } = renderApp({
      path: '/directory',
      fake: withUsers(2),
      loggedInAs: 'admin@example.com',
    });
    await user.click(await screen.findByRole('button', { name: 'Edit bob' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit bob' });
    const name = within(dialog).getByLabelText('Username');
    await user.clear(name);
    await user.type(name, 'robert');
    await user.click(within(dialog).getByLabelText('Active (may log in)'));
    await user.click(within(dialog).getByLabelText('Administrator'));
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByRole('status')).toHaveTextContent('User robert was saved.');
    expect(fake.callsTo('PUT', '/users/2')[0].body).toEqual({
      username: 'robert',
      email: 'bob@example.com',
      active: false,
      admin: true,
    });
    await screen.findByText('robert');
  });

  it('closes a dialog with Escape without saving', async () => {
    const { user, fake } = renderApp({
      path: '/directory',
      fake: withUsers(2),
      loggedInAs: 'admin@example.com',
    });
    await user.click(await screen.findByRole('button', { name: 'Edit bob' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(fake.callsTo('PUT', '/users/2')).toHaveLength(0);
  });

  it('lets an admin delete a user after confirming', async () => {
    const { user, fake } = renderApp({
      path: '/directory',
      fake: withUsers(3),
      loggedInAs: 'admin@example.com',
    });
    await user.click(await screen.findByRole('button', { name: 'Delete user3' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Delete user3?' });
    expect(confirm).toHaveAccessibleDescription(/permanently deletes user3/);
    expect(within(confirm).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(fake.callsTo('DELETE', '/users/3')).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Delete user3' }));
    await user.click(
      within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete' }),
    );
    expect(await screen.findByRole('status')).toHaveTextContent('user3@example.com was removed!');
    await waitFor(() =>
      expect(screen.queryByRole('cell', { name: 'user3@example.com' })).not.toBeInTheDocument(),
    );
  });

  it('shows a failure message when a delete is refused', async () => {
    const { user, fake } = renderApp({
      path: '/directory',
      fake: withUsers(3),
      loggedInAs: 'admin@example.com',
    });
    fake.intercept((c) =>
      c.method === 'DELETE'
        ? new Response(JSON.stringify({ message: 'User 3 does not exist' }), { status: 404 })
        : undefined,
    );
    await user.click(await screen.findByRole('button', { name: 'Delete user3' }));
    await user.click(
      within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent('User 3 does not exist');
  });

  it('offers a regular user no admin actions, only edit/delete of their own row', async () => {
    renderApp({ path: '/directory', fake: withUsers(3), loggedInAs: 'bob@example.com' });
    await screen.findByRole('cell', { name: 'bob@example.com' });
    expect(screen.queryByRole('button', { name: 'Add user' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Edit admin' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete user3' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Edit bob' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Delete bob' })).toBeInTheDocument();
    await expectAccessible();
  });

  it('a regular user edits their own username and email only', async () => {
    const { user, fake } = renderApp({
      path: '/directory',
      fake: withUsers(2),
      loggedInAs: 'bob@example.com',
    });
    await user.click(await screen.findByRole('button', { name: 'Edit bob' }));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).queryByLabelText('Administrator')).not.toBeInTheDocument();
    expect(within(dialog).queryByLabelText(/Active/)).not.toBeInTheDocument();
    const email = within(dialog).getByLabelText('Email');
    await user.clear(email);
    await user.type(email, 'bobby@example.com');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByRole('status')).toHaveTextContent('User bob was saved.');
    expect(fake.callsTo('PUT', '/users/2')[0].body).toEqual({
      username: 'bob',
      email: 'bobby@example.com',
    });
  });

  it('a regular user deleting their own account is logged out', async () => {
    const { user } = renderApp({
      path: '/directory',
      fake: withUsers(2),
      loggedInAs: 'bob@example.com',
    });
    await user.click(await screen.findByRole('button', { name: 'Delete bob' }));
    const confirm = screen.getByRole('alertdialog');
    expect(confirm).toHaveTextContent(/your own account/);
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Welcome' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('bob@example.com was removed!');
    expect(window.localStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it('offers to retry when the list cannot be loaded', async () => {
    const fake = withUsers(2);
    fake.intercept((c) => {
      if (c.path.startsWith('/users?')) throw new TypeError('Failed to fetch');
      return undefined;
    });
    const { user } = renderApp({ path: '/directory', fake, loggedInAs: 'admin@example.com' });
    expect(await screen.findByText(/Could not load the users/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('cell', { name: 'bob@example.com' })).toBeInTheDocument();
  });
});
