import { useEffect, useState } from 'preact/hooks';
import { session, type SessionState } from '.';

/** The session's state, re-rendering the caller when it changes. */
export function useSession(): SessionState {
  const [state, setState] = useState(session.current);
  useEffect(() => {
    setState(session.current);
    return session.subscribe(setState);
  }, []);
  return state;
}
