import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { expectAccessible } from '../test/axe';
import { renderApp } from '../test/render';

describe('WelcomePage', () => {
  it('leads to log in and register with the keyboard', async () => {
    const { user } = renderApp();
    const main = within(await screen.findByRole('main'));
    await main.findByRole('heading', { level: 1, name: 'Welcome' });
    main.getByRole('link', { name: 'Log in' }).focus();
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { level: 1, name: 'Log in' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/login');
    await expectAccessible();
  });
});
