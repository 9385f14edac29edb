import { useApp } from '../app-context';
import { Link, navigate, usePath } from '../router';
import { useNotices } from './Notices';

export function Nav() {
  const { user, logout } = useApp();
  const { notify } = useNotices();
  const path = usePath();
  const current = (href: string) => (path === href ? 'page' : undefined);

  const onLogout = async () => {
    await logout();
    notify('success', 'You are logged out.');
    navigate('/');
  };

  return (
    <header className="topbar">
      <div className="topbar-inner">
        <Link href="/" className="brand">
          <span aria-hidden="true" className="brand-mark">
            U
          </span>
          Users
        </Link>
        <nav aria-label="Main">
          <ul className="nav-list">
            {user ? (
              <>
                <li>
                  <Link href="/directory" aria-current={current('/directory')}>
                    Users
                  </Link>
                </li>
                <li>
                  <Link href="/account" aria-current={current('/account')}>
                    My account
                  </Link>
                </li>
                <li className="nav-user">
                  <span className="visually-hidden">Logged in as </span>
                  {user.username}
                  {user.admin && <span className="badge">admin</span>}
                </li>
                <li>
                  <button type="button" className="btn btn-small" onClick={onLogout}>
                    Log out
                  </button>
                </li>
              </>
            ) : (
              <>
                <li>
                  <Link href="/login" aria-current={current('/login')}>
                    Log in
                  </Link>
                </li>
                <li>
                  <Link href="/register" aria-current={current('/register')}>
                    Register
                  </Link>
                </li>
              </>
            )}
          </ul>
        </nav>
      </div>
    </header>
  );
}
