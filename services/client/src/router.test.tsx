import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { Link, navigate, Redirect, usePath } from './router';

function Where() {
  return <p data-testid="path">{usePath()}</p>;
}

describe('router', () => {
  it('follows links without a page load and tracks the path', async () => {
    const user = userEvent.setup();
    render(
      <>
        <Link href="/account">Account</Link>
        <Where />
      </>,
    );
    expect(screen.getByTestId('path')).toHaveTextContent('/');
    await user.click(screen.getByRole('link', { name: 'Account' }));
    expect(screen.getByTestId('path')).toHaveTextContent('/account');
    expect(window.location.pathname).toBe('/account');
  });

  it('follows back/forward (popstate) and programmatic navigation', () => {
    render(<Where />);
    act(() => navigate('/login'));
    expect(screen.getByTestId('path')).toHaveTextContent('/login');
    act(() => {
      window.history.replaceState(null, '', '/register');
      window.dispatchEvent(new PopStateEvent('popstate'));
    });
    expect(screen.getByTestId('path')).toHaveTextContent('/register');
  });

  it('Redirect replaces the current entry', () => {
    const before = window.history.length;
    render(
      <>
        <Redirect to="/directory" />
        <Where />
      </>,
    );
    expect(screen.getByTestId('path')).toHaveTextContent('/directory');
    expect(window.history.length).toBe(before);
  });
});
