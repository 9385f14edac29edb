import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage, type FieldErrors } from './api/types';
import { useNotices } from './components/Notices';

const INVALID = 'Please correct the highlighted fields.';

/**
 * Form state shared by every form: client-side errors, the server's
 * per-field errors, a busy flag, and focus on the first invalid field.
 */
export function useForm(opts: { inline?: boolean } = {}) {
  const { notify, dismiss } = useNotices();
  const invalidNotice = useRef(0);
  const inline = !!opts.inline;
  /** The failure message, for forms that show it themselves (dialogs). */
  const [formError, setFormError] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (attempt === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [attempt]);

  /**
   * Validates with `check`; if clean, runs `action`. A refusal from the
   * server shows its message and its `errors` next to the fields.
   * Returns true on success.
   */
  const submit = useCallback(
    async (check: () => FieldErrors, action: () => Promise<void>): Promise<boolean> => {
      const found = check();
      setErrors(found);
      setFormError('');
      const fail = (message: string) => {
        if (inline) setFormError(message);
        else notify('error', message);
      };
      if (Object.keys(found).length > 0) {
        setAttempt((n) => n + 1);
        if (inline) setFormError(INVALID);
        else invalidNotice.current = notify('error', INVALID);
        return false;
      }
      setBusy(true);
      try {
        await action();
        return true;
      } catch (err) {
        if (err instanceof ApiError && Object.keys(err.errors).length > 0) {
          setErrors(err.errors);
          setAttempt((n) => n + 1);
        }
        fail(errorMessage(err));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [notify, inline],
  );

  // Once every highlighted field has been edited, the "please correct"
  // message has done its job.
  useEffect(() => {
    if (Object.keys(errors).length > 0) return;
    if (invalidNotice.current) dismiss(invalidNotice.current);
    invalidNotice.current = 0;
    setFormError((m) => (m === INVALID ? '' : m));
  }, [errors, dismiss]);

  const clearError = useCallback((field: string) => {
    setErrors((e) => {
      if (!(field in e)) return e;
      const next = { ...e };
      delete next[field];
      return next;
    });
  }, []);

  return { formRef, errors, formError, busy, submit, clearError, setErrors };
}
