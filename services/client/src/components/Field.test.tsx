import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../test/axe';
import { Checkbox, Field } from './Field';

describe('Field', () => {
  it('labels the input and ties hint and error to it', async () => {
    const onChange = vi.fn();
    render(
      <main>
        <Field label="Username" value="" onChange={onChange} hint="3 to 64" error="Too short." />
      </main>,
    );
    const input = screen.getByLabelText('Username');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input).toHaveAccessibleDescription('3 to 64 Too short.');
    await userEvent.type(input, 'a');
    expect(onChange).toHaveBeenCalledWith('a');
    await expectAccessible();
  });

  it('is not marked invalid without an error', () => {
    render(<Field label="Email" value="a@b.c" onChange={() => {}} />);
    expect(screen.getByLabelText('Email')).not.toHaveAttribute('aria-invalid');
    expect(screen.getByLabelText('Email')).toHaveValue('a@b.c');
  });
});

describe('Checkbox', () => {
  it('toggles with the keyboard', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Checkbox label="Administrator" checked={false} onChange={onChange} />);
    await user.tab();
    expect(screen.getByRole('checkbox', { name: 'Administrator' })).toHaveFocus();
    await user.keyboard(' ');
    expect(onChange).toHaveBeenCalledWith(true);
  });
});
