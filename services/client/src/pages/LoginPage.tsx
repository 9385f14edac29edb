import { useState, type FormEvent } from 'react';
import { useApp } from '../app-context';
import { Field } from '../components/Field';
import { useNotices } from '../components/Notices';
import { Page } from '../components/Page';
import { Link, navigate } from '../router';
import { useForm } from '../useForm';
import { collect, required, validateEmail } from '../validation';

export function LoginPage() {
  const { login } = useApp();
  const { notify } = useNotices();
  const { formRef, errors, busy, submit, clearError } = useForm();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    await submit(
      () => collect({ email: validateEmail(email), password: required(password, 'Password') }),
      async () => {
        const user = await login(email.trim(), password);
        notify('success', `Welcome, ${user.username}! You are logged in.`);
        navigate('/directory');
      },
    );
  };

  return (
    <Page title="Log in" narrow>
      <form ref={formRef} className="card form" onSubmit={onSubmit} noValidate>
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(v) => {
            setEmail(v);
            clearError('email');
          }}
          error={errors.email}
          required
        />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(v) => {
            setPassword(v);
            clearError('password');
          }}
          error={errors.password}
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <p className="muted">
          No account yet? <Link href="/register">Create one</Link>.
        </p>
      </form>
    </Page>
  );
}
