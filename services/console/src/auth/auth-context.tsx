/**
 * Who is signed in. The token lives only in the HttpOnly cookie; the console asks
 * `/api/v1/auth/me` at start and after signing in, and forgets the user on any 401.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { onUnauthorized, request } from '../api/client';
import type { User } from '../api/types';

interface AuthState {
  /** undefined while the first /me is in flight; null when signed out. */
  user: User | null | undefined;
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<AuthState | undefined>(undefined);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);

  useEffect(() => {
    let alive = true;
    request<User>('/api/v1/auth/me', { quiet401: true }).then(
      (me) => alive && setUser(me),
      () => alive && setUser(null),
    );
    const off = onUnauthorized(() => setUser(null));
    return () => {
      alive = false;
      off();
    };
  }, []);

  const signIn = useCallback(async (username: string, password: string) => {
    const reply = await request<{ user: User }>('/api/v1/auth/login', {
      method: 'POST',
      body: { username, password },
      quiet401: true,
    });
    setUser(reply.user);
  }, []);

  const signOut = useCallback(async () => {
    await request('/api/v1/auth/logout', { method: 'POST', quiet401: true }).catch(() => undefined);
    setUser(null);
  }, []);

  return <AuthContext.Provider value={{ user, signIn, signOut }}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}
