import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../test/axe';
import { renderApp } from '../test/render';
import { UserFormDialog } from './UserFormDialog';

const bob = {
  id: 2,
  username: 'bob',
  email: 'bob@example.com',
  active: true,
  admin: false,
  created_date: '2026-11-28T02:33:14Z',
};

describe('UserFormDialog', () => {
  it('for adding: asks username, email, password and admin; checks password bytes', async () => {
    const onDone = vi.fn();
    const { user, fake } = renderApp({
      ui: <UserFormDialog asAdmin onDone={onDone} onCancel={() => {}} />,
      loggedInAs: 'admin@example.com',
    });
    const dialog = screen.getByRole('dialog', { name: 'Add user' });
    expect(within(dialog).queryByLabelText(/Active/)).not.toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Username'), 'dora');
    await user.type(within(dialog).getByLabelText('Email'), 'dora@example.com');
    await user.type(within(dialog).getByLabelText('Password'), 'é'.repeat(37));
    await user.click(within(dialog).getByRole('button', { name: 'Add user' }));
    expect(within(dialog).getByLabelText('Password')).toHaveAccessibleDescription(/72 bytes/);
    expect(within(dialog).getByRole('alert')).toHaveTextContent('correct the highlighted');
    expect(fake.callsTo('POST', '/users')).toHaveLength(0);
    expect(onDone).not.toHaveBeenCalled();
    await expectAccessible();
  });

  it('shows a refusal without field errors inside the dialog', async () => {
    const { user, fake } = renderApp({
      ui: <UserFormDialog user={bob} asAdmin={false} onDone={() => {}} onCancel={() => {}} />,
      loggedInAs: 'admin@example.com',
    });
    fake.intercept((c) =>
      c.method === 'PUT'
        ? new Response(JSON.stringify({ message: 'You may not edit this user.' }), { status: 403 })
        : undefined,
    );
    const dialog = screen.getByRole('dialog', { name: 'Edit bob' });
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'You may not edit this user.',
    );
  });

  it('Cancel closes without a request', async () => {
    const onCancel = vi.fn();
    const { user, fake } = renderApp({
      ui: <UserFormDialog user={bob} asAdmin onDone={() => {}} onCancel={onCancel} />,
    });
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalled();
    expect(fake.calls).toHaveLength(0);
  });
});
