/**
 * The console's routes. Share links (/share/{token}) play their clip logged out; every
 * other page needs a signed-in user and sends the visitor to /login first. The api serves
 * index.html for exactly these client routes (services/api/src/console/console-routes.ts).
 */
import { lazy, type ReactNode, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { AgentsPage } from './agents/AgentsPage';
import { AuthProvider, useAuth } from './auth/auth-context';
import { LoginPage } from './auth/LoginPage';
import { Layout } from './layout/Layout';
import { LiveSessionsPage } from './live/LiveSessionsPage';
import { playerPage } from './player/player-modules';
import { SearchPage } from './search/SearchPage';

// The players (hls.js, xterm.js) are most of the code: loaded only when a recording opens,
// so sign-in and search stay small and fast.
const PlayerPage = playerPage.Component;
const SharePage = lazy(() => import('./share/SharePage').then((m) => ({ default: m.SharePage })));
// The policy forms are for policy administrators only: loaded when that page opens.
const PoliciesPage = lazy(() =>
  import('./policies/PoliciesPage').then((m) => ({ default: m.PoliciesPage })),
);

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

/** Everything behind sign-in; the user is asked of the api only on these pages. */
function SignedInRoutes() {
  return (
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
        <Route
          path="/sessions/:sessionId"
          element={
            <RequireUser>
              <PlayerPage />
            </RequireUser>
          }
        />
        <Route
          path="/live"
          element={
            <RequireUser>
              <LiveSessionsPage />
            </RequireUser>
          }
        />
        <Route
          path="/policies"
          element={
            <RequireUser>
              <PoliciesPage />
            </RequireUser>
          }
        />
        <Route
          path="/agents"
          element={
            <RequireUser>
              <AgentsPage />
            </RequireUser>
          }
        />
        <Route path="*" element={<p className="loading">Page not found.</p>} />
      </Routes>
    </AuthProvider>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <Suspense fallback={<p className="loading">Loading…</p>}>
        <Routes>
          {/* A share link calls nothing but its own share routes, signed in or not. */}
          <Route path="/share/:token" element={<SharePage />} />
          <Route path="*" element={<SignedInRoutes />} />
        </Routes>
      </Suspense>
    </BrowserRouter>
  );
}
