import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { NoticeArea, NoticeProvider, useNotices } from './Notices';

function Buttons() {
  const { notify } = useNotices();
  return (
    <>
      <button onClick={() => notify('success', 'Saved.')}>ok</button>
      <button onClick={() => notify('error', 'Failed.')}>fail</button>
    </>
  );
}

describe('Notices', () => {
  it('announces success politely and errors assertively, and can be dismissed', async () => {
    const user = userEvent.setup();
    render(
      <NoticeProvider>
        <NoticeArea />
        <Buttons />
      </NoticeProvider>,
    );
    expect(screen.getByRole('status')).toBeEmptyDOMElement();
    expect(screen.getByRole('alert')).toBeEmptyDOMElement();
    await user.click(screen.getByRole('button', { name: 'ok' }));
    expect(screen.getByRole('status')).toHaveTextContent('Saved.');
    await user.click(screen.getByRole('button', { name: 'fail' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Failed.');
    // A new outcome replaces the previous message.
    expect(screen.getByRole('status')).toBeEmptyDOMElement();
    await user.click(screen.getByRole('button', { name: 'Dismiss message: Failed.' }));
    expect(screen.getByRole('alert')).toBeEmptyDOMElement();
  });

  it('does not repeat a message', async () => {
    const user = userEvent.setup();
    render(
      <NoticeProvider>
        <NoticeArea />
        <Buttons />
      </NoticeProvider>,
    );
    await user.click(screen.getByRole('button', { name: 'ok' }));
    await user.click(screen.getByRole('button', { name: 'ok' }));
    expect(screen.getAllByText('Saved.')).toHaveLength(1);
  });
});
