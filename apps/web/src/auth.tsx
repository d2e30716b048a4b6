import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { AdministeredTenant, CurrentSessionResponse, TesseraClient } from '@tessera/client';
import {
  TOKEN_CHANGED,
  TesseraError,
  acting as actingStore,
  anonymous,
  userToken,
  withToken,
  type Acting,
} from './api.js';

/** What the app knows about who is signed in. */
export interface SignedIn {
  /** The token the app sends (null when signed out): the impersonation's while acting. */
  token: string | null;
  /** A client that sends that token (the anonymous client when signed out). */
  client: TesseraClient;
  /** The current session and its user, once loaded; null when signed out. */
  me: CurrentSessionResponse | null;
  /** True while the first answer about the session (and the console access) is awaited. */
  loading: boolean;
  /** What the console may show this person: the API decides each action again. */
  access: ConsoleAccess;
  /** The impersonation under way, if any. */
  acting: Acting | null;
  /** The signed-in person's own client, also while acting (null when signed out). */
  ownClient: TesseraClient | null;
  /** Runs the app as another user with an impersonation token; the person's own session is kept. */
  startActing: (value: Acting) => void;
  /** Ends the impersonation session and returns to the person's own; resolves to where to go back to. */
  stopActing: () => Promise<string>;
  /** Ends this session on the server and forgets it here (while acting: stops acting). */
  signOut: () => Promise<void>;
}

/** Which parts of the admin console the signed-in person may see, as GET /v1/admin/access says. */
export interface ConsoleAccess {
  /** Any part of the console at all. */
  console: boolean;
  /** Everything, in every tenant. */
  superAdmin: boolean;
  /** The tenants a tenant admin administers (empty for a super admin, who has them all). */
  tenants: AdministeredTenant[];
  /** The longest an impersonation may last, in seconds. */
  impersonationMaxSeconds: number;
}

const NO_ACCESS: ConsoleAccess = { console: false, superAdmin: false, tenants: [], impersonationMaxSeconds: 0 };

const Context = createContext<SignedIn | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [token, setToken] = useState(userToken.get);
  const [acting, setActing] = useState(actingStore.get);
  useEffect(() => {
    const changed = () => {
      setToken(userToken.get());
      setActing(actingStore.get());
    };
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
  const me = token ? (current.data ?? null) : null;
  // Console rights are the API's answer; an impersonation session has none.
  const consoleAccess = useQuery({
    queryKey: ['access', token],
    queryFn: () => client.admin.access(),
    enabled: me !== null && me.session.type === 'user',
    staleTime: 60_000,
  });
  // A token the server no longer takes is forgotten: while acting only the impersonation's (the
  // person's own session stays), else the app shows the signed-out pages.
  useEffect(() => {
    if (current.error instanceof TesseraError && current.error.status === 401) userToken.clear();
  }, [current.error]);

  const stopActing = useCallback(async () => {
    const was = actingStore.get();
    if (was)
      await withToken(was.token)
        .auth.signOut()
        .catch(() => undefined);
    actingStore.clear();
    queryClient.clear();
    return was?.returnTo ?? '/';
  }, [queryClient]);

  const value = useMemo<SignedIn>(() => {
    const answer = me?.session.type === 'user' ? consoleAccess.data : undefined;
    const access: ConsoleAccess = answer
      ? { ...answer, console: answer.superAdmin || answer.tenants.length > 0 }
      : NO_ACCESS;
    const own = userToken.own();
    return {
      token,
      client,
      me,
      loading: token !== null && (current.isPending || (me?.session.type === 'user' && consoleAccess.isPending)),
      access,
      acting,
      ownClient: own ? withToken(own) : null,
      startActing: (value) => {
        queryClient.clear();
        actingStore.set(value);
      },
      stopActing,
      signOut: async () => {
        if (actingStore.get()) {
          await stopActing();
          return;
        }
        await client.auth.signOut().catch(() => undefined);
        userToken.clear();
        queryClient.clear();
      },
    };
  }, [
    token,
    client,
    me,
    acting,
    current.isPending,
    consoleAccess.data,
    consoleAccess.isPending,
    queryClient,
    stopActing,
  ]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useAuth(): SignedIn {
  const value = useContext(Context);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
