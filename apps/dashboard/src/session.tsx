/** The signed-in session: the pasted token (sessionStorage only), who it is and its scopes (GET /v1/whoami). */
import { createContext, useContext } from 'react';
import type { WhoamiView } from '#view-types';
import { Api, ApiError } from './api.js';

const KEY = 'tideline.token';
const ME = 'tideline.me';

export interface Session {
  api: Api;
  me: WhoamiView;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('not signed in');
  return s;
}

export const storedToken = (): string | null => sessionStorage.getItem(KEY);
export const forgetToken = (): void => {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(ME);
};

/** The token and who it was at sign-in (this tab): the page renders at once and checks the token again meanwhile. */
export function storedSession(): { api: Api; me: WhoamiView } | null {
  const token = storedToken();
  const me = sessionStorage.getItem(ME);
  if (!token || !me) return null;
  try {
    return { api: new Api(token), me: JSON.parse(me) as WhoamiView };
  } catch {
    return null;
  }
}

/** Check a token with the API; keep it only if it is valid. Throws a message for the sign-in form. */
export async function signIn(token: string): Promise<{ api: Api; me: WhoamiView }> {
  const trimmed = token.trim();
  if (!trimmed) throw new Error('paste an API token');
  const api = new Api(trimmed);
  try {
    const me = await api.get<WhoamiView>('/v1/whoami');
    sessionStorage.setItem(KEY, trimmed);
    sessionStorage.setItem(ME, JSON.stringify(me));
    return { api, me };
  } catch (err) {
    if (err instanceof ApiError) forgetToken();
    if (err instanceof ApiError && err.status === 401) throw new Error(`sign-in refused: ${err.message}`, { cause: err });
    if (err instanceof ApiError) throw new Error(`sign-in failed (${err.status}): ${err.message}`, { cause: err });
    throw new Error(`cannot reach the API: ${(err as Error).message}`, { cause: err });
  }
}
