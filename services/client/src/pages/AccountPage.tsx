import { useState, type FormEvent } from 'react';
import type { User } from '../api/types';
import { ApiError, errorMessage } from '../api/types';
import { useApp } from '../app-context';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Field } from '../components/Field';
import { useNotices } from '../components/Notices';
import { Page } from '../components/Page';
import { UserFormDialog } from '../components/UserFormDialog';
import { formatDate } from '../format';
import { navigate } from '../router';
import { useForm } from '../useForm';
import { collect, required, validatePassword } from '../validation';

export function AccountPage() {
  const { user, setUser, forget, api } = useApp();
  const { notify } = useNotices();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  if (!user) return null;

  const onSaved = (saved: User) => {
    setEditing(false);
    setUser(saved);
  };

  const onDelete = async () => {
    try {
      const message = await api.remove(user.id);
      forget();
      notify('success', message);
      navigate('/');
    } catch (err) {
      setDeleting(false);
      notify('error', errorMessage(err));
    }
  };

  return (
    <Page title="My account">
      <div className="grid-2">
        <section className="card" aria-labelledby="profile-h">
          <h2 id="profile-h">Profile</h2>
          <dl className="props">
            <dt>Username</dt>
            <dd>{user.username}</dd>
            <dt>Email</dt>
            <dd>{user.email}</dd>
            <dt>User id</dt>
            <dd>{user.id}</dd>
            <dt>Role</dt>
            <dd>{user.admin ? 'Administrator' : 'User'}</dd>
            <dt>Status</dt>
            <dd>{user.active ? 'Active' : 'Inactive'}</dd>
            <dt>Member since</dt>
            <dd>
              <time dateTime={user.created_date}>{formatDate(user.created_date)}</time>
            </dd>
          </dl>
          <div className="actions">
            <button type="button" className="btn" onClick={() => setEditing(true)}>
              Edit profile
            </button>
            <button type="button" className="btn btn-danger" onClick={() => setDeleting(true)}>
              Delete my account
            </button>
          </div>
        </section>
        <ChangePassword email={user.email} />
      </div>
      {editing && (
        <UserFormDialog
          user={user}
          asAdmin={user.admin}
          onDone={onSaved}
          onCancel={() => setEditing(false)}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete your account?"
          message="This deletes your account and logs you out. It cannot be undone."
          confirmLabel="Delete my account"
          onConfirm={onDelete}
          onCancel={() => setDeleting(false)}
        />
      )}
    </Page>
  );
}

function ChangePassword({ email }: { email: string }) {
  const { api, login, forget } = useApp();
  const { notify } = useNotices();
  const { formRef, errors, busy, submit, clearError } = useForm();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await submit(
      () =>
        collect({
          current_password: required(current, 'Current password'),
          new_password: validatePassword(next, 'New password'),
          repeat: repeat !== next ? 'The new passwords do not match.' : undefined,
        }),
      async () => {
        try {
          await api.changePassword(current, next);
        } catch (err) {
          if (err instanceof ApiError && err.status === 401) {
            throw new ApiError(401, err.message, { current_password: err.message });
          }
          throw err;
        }
        // The server revoked every refresh token of the account, this
        // session's too: log in again with the new password.
        try {
          await login(email, next);
          notify('success', 'Your password was changed.');
        } catch {
          forget();
          notify('success', 'Your password was changed. Please log in with the new password.');
          navigate('/login');
        }
      },
    );
    if (ok) {
      setCurrent('');
      setNext('');
      setRepeat('');
    }
  };

  const bind = (field: string, set: (v: string) => void) => (v: string) => {
    set(v);
    clearError(field);
  };

  return (
    <section className="card" aria-labelledby="pw-h">
      <h2 id="pw-h">Change password</h2>
      <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={bind('current_password', setCurrent)}
          error={errors.current_password}
          required
        />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={bind('new_password', setNext)}
          error={errors.new_password}
          hint="At least 8 characters, at most 72 bytes."
          required
        />
        <Field
          label="Repeat new password"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={bind('repeat', setRepeat)}
          error={errors.repeat}
          required
        />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}
