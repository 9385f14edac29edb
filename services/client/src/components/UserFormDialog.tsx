import { useState, type FormEvent } from 'react';
import type { User } from '../api/types';
import { useApp } from '../app-context';
import { useForm } from '../useForm';
import { collect, validateEmail, validatePassword, validateUsername } from '../validation';
import { Checkbox, Field } from './Field';
import { Modal } from './Modal';
import { useNotices } from './Notices';

interface Props {
  /** The user to edit; absent: add a new user (admins only). */
  user?: User;
  /** Whether the person using the dialog is an admin (shows active/admin). */
  asAdmin: boolean;
  onDone: (saved: User) => void;
  onCancel: () => void;
}

export function UserFormDialog({ user, asAdmin, onDone, onCancel }: Props) {
  const { api } = useApp();
  const { notify } = useNotices();
  const { formRef, errors, formError, busy, submit, clearError } = useForm({ inline: true });
  const [username, setUsername] = useState(user?.username ?? '');
  const [email, setEmail] = useState(user?.email ?? '');
  const [password, setPassword] = useState('');
  const [active, setActive] = useState(user?.active ?? true);
  const [admin, setAdmin] = useState(user?.admin ?? false);
  const adding = !user;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    await submit(
      () =>
        collect({
          username: validateUsername(username),
          email: validateEmail(email),
          password: adding ? validatePassword(password) : undefined,
        }),
      async () => {
        let saved: User;
        if (adding) {
          saved = await api.create({ username, email: email.trim(), password, admin });
          notify('success', `User ${saved.username} was added.`);
        } else {
          const body = asAdmin
            ? { username, email: email.trim(), active, admin }
            : { username, email: email.trim() };
          saved = await api.update(user.id, body);
          notify('success', `User ${saved.username} was saved.`);
        }
        onDone(saved);
      },
    );
  };

  const bind = (field: string, set: (v: string) => void) => (v: string) => {
    set(v);
    clearError(field);
  };

  return (
    <Modal title={adding ? 'Add user' : `Edit ${user.username}`} onClose={onCancel}>
      <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
        <Field
          label="Username"
          value={username}
          onChange={bind('username', setUsername)}
          error={errors.username}
          autoComplete="off"
          required
          data-autofocus
        />
        <Field
          label="Email"
          type="email"
          value={email}
          onChange={bind('email', setEmail)}
          error={errors.email}
          autoComplete="off"
          required
        />
        {adding && (
          <Field
            label="Password"
            type="password"
            value={password}
            onChange={bind('password', setPassword)}
            error={errors.password}
            hint="At least 8 characters, at most 72 bytes."
            autoComplete="new-password"
            required
          />
        )}
        {asAdmin && !adding && (
          <Checkbox label="Active (may log in)" checked={active} onChange={setActive} />
        )}
        {asAdmin && <Checkbox label="Administrator" checked={admin} onChange={setAdmin} />}
        <div role="alert" className="form-error">
          {formError}
        </div>
        <div className="actions">
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : adding ? 'Add user' : 'Save changes'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
