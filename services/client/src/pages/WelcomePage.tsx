import { Link } from '../router';
import { Page } from '../components/Page';

export function WelcomePage() {
  return (
    <Page title="Welcome">
      <div className="hero">
        <p className="lead">
          Manage user accounts: sign up, keep your profile up to date, and — if you are an
          administrator — add, edit and remove users.
        </p>
        <div className="actions">
          <Link href="/login" className="btn btn-primary">
            Log in
          </Link>
          <Link href="/register" className="btn">
            Create an account
          </Link>
        </div>
      </div>
    </Page>
  );
}
