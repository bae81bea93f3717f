/**
 * After creating an account (registration, invitation), sign it in; when that needs a second
 * factor or does not work, the sign-in page takes over with a notice.
 */

import { navigate } from '../router/router';
import { session } from '../session';
import { handOff, type Handoff } from './handoff';

export async function signInAfter(slug: string, email: string, password: string, notice: Handoff['notice']): Promise<void> {
  try {
    const result = await session.login(slug, email, password);
    if (result.kind === 'signed_in') return navigate('/', { replace: true });
    handOff({ notice, email, challenge: result.challenge });
  } catch {
    handOff({ notice, email });
  }
  navigate('/login', { replace: true });
}
