import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { expectAccessible } from '../test/axe';
import { renderApp } from '../test/render';

async function fill(user: ReturnType<typeof renderApp>['user'], v: Record<string, string>) {
  for (const [label, value] of Object.entries(v)) {
    const input = await screen.findByLabelText(label);
    await user.clear(input);
    if (value) await user.type(input, value);
  }
}

describe('RegisterPage', () => {
  it('is accessible', async () => {
    renderApp({ path: '/register' });
    await screen.findByRole('heading', { level: 1, name: 'Create an account' });
    await expectAccessible();
  });

  it('applies the field rules before sending', async () => {
    const { user, fake } = renderApp({ path: '/register' });
    await fill(user, {
      Username: 'a b',
      Email: 'x@y',
      Password: 'short',
      'Repeat password': 'other',
    });
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByLabelText('Username')).toHaveAccessibleDescription(/only letters/);
    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription(/domain/);
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(/at least 8/);
    expect(screen.getByLabelText('Repeat password')).toHaveAccessibleDescription(/do not match/);
    expect(screen.getByRole('alert')).toHaveTextContent('Please correct the highlighted fields.');
    expect(fake.calls).toHaveLength(0);
    // Editing every highlighted field clears the message.
    await fill(user, {
      Username: 'ab_c',
      Email: 'x@y.z',
      Password: 'longenough',
      'Repeat password': 'longenough',
    });
    expect(screen.getByRole('alert')).toBeEmptyDOMElement();
  });

  it("shows the server's per-field errors when it refuses", async () => {
    const { user } = renderApp({ path: '/register' });
    await fill(user, {
      Username: 'newbie',
      Email: 'admin@example.com',
      Password: 'goodpass1',
      'Repeat password': 'goodpass1',
    });
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Sorry. That email already exists.');
    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription(
      'That email already exists.',
    );
    // Typing in the field clears its error.
    await user.type(screen.getByLabelText('Email'), 'x');
    expect(screen.getByLabelText('Email')).not.toHaveAttribute('aria-invalid');
  });

  it('registers, logs in and shows the table', async () => {
    const { user, fake } = renderApp({ path: '/register' });
    await fill(user, {
      Username: 'newbie',
      Email: 'New@Example.com',
      Password: 'goodpass1',
      'Repeat password': 'goodpass1',
    });
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Users' })).toBeInTheDocument();
    expect(fake.callsTo('POST', '/auth/register')[0].body).toEqual({
      username: 'newbie',
      email: 'New@Example.com',
      password: 'goodpass1',
    });
    expect(screen.getByRole('status')).toHaveTextContent('Account newbie created');
  });
});
