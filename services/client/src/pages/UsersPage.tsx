import { useCallback, useEffect, useState } from 'react';
import type { User } from '../api/types';
import { errorMessage } from '../api/types';
import { useApp } from '../app-context';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { useNotices } from '../components/Notices';
import { Page } from '../components/Page';
import { PAGE_SIZES, Pager } from '../components/Pager';
import { UserFormDialog } from '../components/UserFormDialog';
import { formatDate } from '../format';
import { navigate } from '../router';

type Dialog = { kind: 'add' } | { kind: 'edit'; user: User } | { kind: 'delete'; user: User };

export function UsersPage() {
  const { api, user: me, setUser, forget } = useApp();
  const { notify } = useNotices();
  const [limit, setLimit] = useState(PAGE_SIZES[0]);
  const [offset, setOffset] = useState(0);
  const [rows, setRows] = useState<User[]>([]);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState('');
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const isAdmin = !!me?.admin;

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const page = await api.list(limit, offset);
      if (page.users.length === 0 && offset > 0 && page.total > 0) {
        // The page emptied (e.g. its last user was deleted): step back.
        setOffset(Math.max(0, (Math.ceil(page.total / limit) - 1) * limit));
        return;
      }
      setRows(page.users);
      setTotal(page.total);
      setLoadError('');
    } catch (err) {
      setLoadError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }, [api, limit, offset]);

  useEffect(() => {
    void load();
  }, [load]);

  const canManage = (u: User) => isAdmin || u.id === me?.id;

  const onSaved = (saved: User) => {
    setDialog(null);
    if (saved.id === me?.id) setUser(saved);
    void load();
  };

  const onDelete = async (u: User) => {
    try {
      const message = await api.remove(u.id);
      setDialog(null);
      notify('success', message);
      if (u.id === me?.id) {
        forget();
        navigate('/');
        return;
      }
      void load();
    } catch (err) {
      setDialog(null);
      notify('error', errorMessage(err));
    }
  };

  return (
    <Page title="Users">
      <div className="toolbar">
        <p className="muted">
          {isAdmin
            ? 'You are an administrator: you can add, edit and delete any user.'
            : 'You can edit or delete your own account.'}
        </p>
        {isAdmin && (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => setDialog({ kind: 'add' })}
          >
            Add user
          </button>
        )}
      </div>

      {loadError && (
        <div className="card error-card">
          <p>Could not load the users: {loadError}</p>
          <button type="button" className="btn" onClick={() => void load()}>
            Try again
          </button>
        </div>
      )}

      <div className="table-wrap" aria-busy={loading}>
        <table className="users-table">
          <caption className="visually-hidden">
            Users{loading ? ' (loading)' : ''}, ordered by id
          </caption>
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Username</th>
              <th scope="col">Email</th>
              <th scope="col">Created</th>
              <th scope="col">Active</th>
              <th scope="col">Admin</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((u) => (
              <tr key={u.id} className={u.id === me?.id ? 'row-me' : undefined}>
                <td data-label="ID">{u.id}</td>
                <td data-label="Username">
                  <span>
                    {u.username}
                    {u.id === me?.id && <span className="badge">you</span>}
                  </span>
                </td>
                <td data-label="Email" className="cell-email">
                  {u.email}
                </td>
                <td data-label="Created">
                  <time dateTime={u.created_date}>{formatDate(u.created_date)}</time>
                </td>
                <td data-label="Active">
                  <span className={`pill ${u.active ? 'pill-yes' : 'pill-no'}`}>
                    {u.active ? 'Yes' : 'No'}
                  </span>
                </td>
                <td data-label="Admin">
                  <span className={`pill ${u.admin ? 'pill-yes' : 'pill-no'}`}>
                    {u.admin ? 'Yes' : 'No'}
                  </span>
                </td>
                <td className="cell-actions">
                  {canManage(u) && (
                    <>
                      <button
                        type="button"
                        className="btn btn-small"
                        onClick={() => setDialog({ kind: 'edit', user: u })}
                        aria-label={`Edit ${u.username}`}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="btn btn-small btn-danger"
                        onClick={() => setDialog({ kind: 'delete', user: u })}
                        aria-label={`Delete ${u.username}`}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
            {!loading && rows.length === 0 && !loadError && (
              <tr>
                <td colSpan={7} className="empty">
                  No users on this page.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>

      <Pager
        offset={offset}
        limit={limit}
        total={total}
        shown={rows.length}
        onOffset={setOffset}
        onLimit={(n) => {
          setLimit(n);
          setOffset(0);
        }}
      />

      {dialog?.kind === 'add' && (
        <UserFormDialog asAdmin onDone={onSaved} onCancel={() => setDialog(null)} />
      )}
      {dialog?.kind === 'edit' && (
        <UserFormDialog
          user={dialog.user}
          asAdmin={isAdmin}
          onDone={onSaved}
          onCancel={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete ${dialog.user.username}?`}
          message={
            dialog.user.id === me?.id
              ? 'This deletes your own account and logs you out. It cannot be undone.'
              : `This permanently deletes ${dialog.user.username} (${dialog.user.email}). It cannot be undone.`
          }
          confirmLabel="Delete"
          onConfirm={() => onDelete(dialog.user)}
          onCancel={() => setDialog(null)}
        />
      )}
    </Page>
  );
}
