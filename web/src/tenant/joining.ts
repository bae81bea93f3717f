/**
 * The tenant plane learns of a new member shortly after the control plane records them (a
 * registration or an accepted invitation is copied across asynchronously), so right after
 * joining, `GET /v1/me` may answer 404 for a moment. That answer is asked again a few times
 * before it counts as "not a member".
 */

import { ApiProblem } from '../api/problem';

const DELAYS_MS = [250, 500, 1000, 1500, 2000, 2500, 3000];

export async function whileJoining<T>(load: () => Promise<T>, signal: AbortSignal, delays: readonly number[] = DELAYS_MS): Promise<T> {
  for (const delay of delays) {
    try {
      return await load();
    } catch (error) {
      if (!(error instanceof ApiProblem && error.code === 'not_found') || signal.aborted) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return load();
}
