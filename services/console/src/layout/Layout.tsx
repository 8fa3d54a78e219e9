/** The signed-in frame: a skip link, the navigation and who is signed in. */
import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { useAuth } from '../auth/auth-context';

export function Layout({ children }: { children: ReactNode }) {
  const { user, signOut } = useAuth();
  return (
    <>
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Sessionrec</span>
        <nav aria-label="Main">
          <NavLink to="/search">Search</NavLink>
          <NavLink to="/live">Live sessions</NavLink>
          <NavLink to="/policies">Policies</NavLink>
          <NavLink to="/agents">Agents</NavLink>
        </nav>
        <span className="who">
          {user?.username}{' '}
          <button type="button" className="link" onClick={() => void signOut()}>
            Sign out
          </button>
        </span>
      </header>
      <div id="content" tabIndex={-1}>
        {children}
      </div>
    </>
  );
}
