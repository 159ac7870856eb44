/** The shell: sign-in first, then the navigation and the page of the current route. */
import { useEffect, useState, type FormEvent } from 'react';
import type { WhoamiView } from '#view-types';
import type { Api } from './api.js';
import { Link, useLocation } from './router.js';
import { forgetToken, SessionContext, signIn, storedSession, storedToken } from './session.js';
import { Home } from './pages/Home.js';
import { ReleasePage } from './pages/Release.js';
import { RegionsPage } from './pages/Regions.js';
import { AuditPage } from './pages/Audit.js';

function SignIn({ onSignedIn, initialError }: { onSignedIn: (s: { api: Api; me: WhoamiView }) => void; initialError: string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(token));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <h1>Tideline</h1>
      <p>
        Paste an API token (from <code>tideline.yaml</code> auth.tokens). It stays in this tab only.
      </p>
      <form onSubmit={submit}>
        <input
          type="password"
          name="token"
          aria-label="API token"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="API token"
          autoFocus
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      {error && (
        <p className="error" role="alert" data-testid="signin-error">
          {error}
        </p>
      )}
    </main>
  );
}

function Page() {
  const { path } = useLocation();
  const release = /^\/releases\/([0-9a-f-]{36})$/i.exec(path);
  if (release) return <ReleasePage key={release[1]} id={release[1]!} />;
  if (path === '/regions') return <RegionsPage />;
  if (path === '/audit') return <AuditPage />;
  return <Home />;
}

export function App() {
  const [session, setSession] = useState<{ api: Api; me: WhoamiView } | null>(storedSession);
  const [checking, setChecking] = useState(() => session === null && storedToken() !== null);
  const [error, setError] = useState<string | null>(null);

  // Check the stored token again (it may have been revoked or its scopes changed); a refusal signs out.
  useEffect(() => {
    const token = storedToken();
    if (!token) return;
    signIn(token)
      .then(
        (fresh) =>
          setSession((cur) =>
            cur === null ? fresh : JSON.stringify(cur.me) === JSON.stringify(fresh.me) ? cur : { api: cur.api, me: fresh.me },
          ),
        (err: Error) => {
          if (/^cannot reach/.test(err.message) && storedSession()) return; // offline for a moment: keep the session
          setSession(null);
          setError(err.message);
        },
      )
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <main className="signin">Checking the token…</main>;
  if (!session) return <SignIn onSignedIn={setSession} initialError={error} />;
  const signOut = () => {
    forgetToken();
    setSession(null);
  };
  return (
    <SessionContext.Provider value={{ ...session, signOut }}>
      <header className="top">
        <Link to="/" className="brand">
          Tideline
        </Link>
        <nav>
          <Link to="/">Releases</Link>
          <Link to="/regions">Regions</Link>
          <Link to="/audit">Audit</Link>
        </nav>
        <span className="me" data-testid="whoami">
          {session.me.name} · {session.me.scopes.join(', ')}
        </span>
        <button type="button" className="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <Page />
    </SessionContext.Provider>
  );
}
