import { useApp } from './app-context';
import { Nav } from './components/Nav';
import { NoticeArea } from './components/Notices';
import { AccountPage } from './pages/AccountPage';
import { LoginPage } from './pages/LoginPage';
import { RegisterPage } from './pages/RegisterPage';
import { UsersPage } from './pages/UsersPage';
import { WelcomePage } from './pages/WelcomePage';
import { Page } from './components/Page';
import { Link, Redirect, usePath } from './router';

// Page paths must not collide with the API's (/users, /auth/…): the server
// answers those itself and falls back to index.html only for other paths.
function Routes() {
  const { user, restoring } = useApp();
  const path = usePath();

  if (restoring) {
    return (
      <p className="loading" role="status">
        Restoring your session…
      </p>
    );
  }
  switch (path) {
    case '/':
      return user ? <Redirect to="/directory" /> : <WelcomePage />;
    case '/login':
      return user ? <Redirect to="/directory" /> : <LoginPage />;
    case '/register':
      return user ? <Redirect to="/directory" /> : <RegisterPage />;
    case '/directory':
      return user ? <UsersPage /> : <Redirect to="/login" />;
    case '/account':
      return user ? <AccountPage /> : <Redirect to="/login" />;
    default:
      return (
        <Page title="Page not found">
          <p>
            There is nothing at this address. <Link href="/">Go to the start page</Link>.
          </p>
        </Page>
      );
  }
}

export function App() {
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Nav />
      <main id="main" className="container">
        <NoticeArea />
        <Routes />
      </main>
    </>
  );
}
