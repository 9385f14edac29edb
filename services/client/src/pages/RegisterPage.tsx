import { useState, type FormEvent } from 'react';
import { useApp } from '../app-context';
import { Field } from '../components/Field';
import { useNotices } from '../components/Notices';
import { Page } from '../components/Page';
import { Link, navigate } from '../router';
import { useForm } from '../useForm';
import { collect, validateEmail, validatePassword, validateUsername } from '../validation';

export function RegisterPage() {
  const { api, login } = useApp();
  const { notify } = useNotices();
  const { formRef, errors, busy, submit, clearError } = useForm();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    await submit(
      () =>
        collect({
          username: validateUsername(username),
          email: validateEmail(email),
          password: validatePassword(password),
          confirm: confirm !== password ? 'The passwords do not match.' : undefined,
        }),
      async () => {
        const user = await api.register({ username, email: email.trim(), password });
        try {
          await login(user.email, password);
        } catch {
          notify('success', `Account ${user.username} created. Please log in.`);
          navigate('/login');
          return;
        }
        notify('success', `Account ${user.username} created. You are logged in.`);
        navigate('/directory');
      },
    );
  };

  const bind = (field: string, set: (v: string) => void) => (v: string) => {
    set(v);
    clearError(field);
  };

  return (
    <Page title="Create an account" narrow>
      <form ref={formRef} className="card form" onSubmit={onSubmit} noValidate>
        <Field
          label="Username"
          autoComplete="username"
          value={username}
          onChange={bind('username', setUsername)}
          error={errors.username}
          hint="3 to 64 characters: letters, digits, _ . -"
          required
        />
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={bind('email', setEmail)}
          error={errors.email}
          required
        />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={bind('password', setPassword)}
          error={errors.password}
          hint="At least 8 characters, at most 72 bytes."
          required
        />
        <Field
          label="Repeat password"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={bind('confirm', setConfirm)}
          error={errors.confirm}
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Creating account…' : 'Create account'}
        </button>
        <p className="muted">
          Already registered? <Link href="/login">Log in</Link>.
        </p>
      </form>
    </Page>
  );
}
