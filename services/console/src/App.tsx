/**
 * The console's routes. Share links (/share/{token}) play their clip logged out; every
 * other page needs a signed-in user and sends the visitor to /login first. The api serves
 * index.html for exactly these client routes (services/api/src/console/console-routes.ts).
 */
import type { ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { AuthProvider, useAuth } from './auth/auth-context';
import { LoginPage } from './auth/LoginPage';
import { Layout } from './layout/Layout';
import { SearchPage } from './search/SearchPage';

function RequireUser({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const location = useLocation();
  if (user === undefined) return <p className="loading">Loading…</p>;
  if (user === null) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Layout>{children}</Layout>;
}

export function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="/" element={<Navigate to="/search" replace />} />
          <Route
            path="/search"
            element={
              <RequireUser>
                <SearchPage />
              </RequireUser>
            }
          />
          <Route path="*" element={<p className="loading">Page not found.</p>} />
        </Routes>
      </AuthProvider>
    </BrowserRouter>
  );
}
