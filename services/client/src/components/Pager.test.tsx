import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../test/axe';
import { Pager } from './Pager';

describe('Pager', () => {
  it('tells where you are and moves by one page', async () => {
    const user = userEvent.setup();
    const onOffset = vi.fn();
    const onLimit = vi.fn();
    render(
      <Pager offset={10} limit={10} total={35} shown={10} onOffset={onOffset} onLimit={onLimit} />,
    );
    expect(screen.getByRole('navigation', { name: 'Pagination' })).toHaveTextContent(
      'Showing 11–20 of 35 · Page 2 of 4',
    );
    await user.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(onOffset).toHaveBeenLastCalledWith(0);
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(onOffset).toHaveBeenLastCalledWith(20);
    await user.selectOptions(screen.getByLabelText('Rows per page'), '50');
    expect(onLimit).toHaveBeenCalledWith(50);
    await expectAccessible();
  });

  it('disables both directions on a single page, and says when empty', () => {
    render(
      <Pager offset={0} limit={10} total={0} shown={0} onOffset={() => {}} onLimit={() => {}} />,
    );
    expect(screen.getByRole('button', { name: 'Previous page' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();
    expect(screen.getByText(/No users · Page 1 of 1/)).toBeInTheDocument();
  });
});
