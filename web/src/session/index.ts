/** The app's session, bound to the app's client. */

import { client } from '../api';
import { Session, webLock } from './session';

export type { SessionState, LoginResult, SecondFactor } from './session';
export const session = new Session({ client, lock: webLock });
