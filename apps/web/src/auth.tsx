import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { CurrentSessionResponse, TesseraClient } from '@tessera/client';
import { TOKEN_CHANGED, TesseraError, anonymous, userToken, withToken } from './api.js';

/** What the app knows about who is signed in. */
export interface SignedIn {
  /** The token the app sends (null when signed out). */
  token: string | null;
  /** A client that sends that token (the anonymous client when signed out). */
  client: TesseraClient;
  /** The current session and its user, once loaded; null when signed out. */
  me: CurrentSessionResponse | null;
  /** True while the first answer about the session is awaited. */
  loading: boolean;
  /** What the console may show this person: the API decides each action again. */
  access: ConsoleAccess;
  /** Ends this session on the server and forgets it here. */
  signOut: () => Promise<void>;
}

/** Which parts of the admin console the signed-in person may see. */
export interface ConsoleAccess {
  /** Any part of the console at all. */
  console: boolean;
  /** Everything, in every tenant. */
  superAdmin: boolean;
}

const NO_ACCESS: ConsoleAccess = { console: false, superAdmin: false };

const Context = createContext<SignedIn | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [token, setToken] = useState(userToken.get);
  useEffect(() => {
    const changed = () => setToken(userToken.get());
    window.addEventListener(TOKEN_CHANGED, changed);
    return () => window.removeEventListener(TOKEN_CHANGED, changed);
  }, []);

  const client = useMemo(() => (token ? withToken(token) : anonymous), [token]);
  const current = useQuery({
    queryKey: ['session', token],
    queryFn: () => client.sessions.current(),
    enabled: token !== null,
    staleTime: 60_000,
  });
  // A token the server no longer takes is forgotten: the app shows the signed-out pages.
  useEffect(() => {
    if (current.error instanceof TesseraError && current.error.status === 401) userToken.clear();
  }, [current.error]);

  const me = token ? (current.data ?? null) : null;
  const value = useMemo<SignedIn>(
    () => ({
      token,
      client,
      me,
      loading: token !== null && current.isPending,
      access: me?.user.superAdmin && me.session.type === 'user' ? { console: true, superAdmin: true } : NO_ACCESS,
      signOut: async () => {
        await client.auth.signOut().catch(() => undefined);
        userToken.clear();
        queryClient.clear();
      },
    }),
    [token, client, me, current.isPending, queryClient],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useAuth(): SignedIn {
  const value = useContext(Context);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
