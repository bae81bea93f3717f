/**
 * Moving an organisation to another placement (a shared database or its own): the form as it
 * opens and what it sends, the server's refusals in the form's words, and how a move under way
 * reads while the page follows it, until it is done or has failed.
 */

import { ApiProblem } from '../api/problem';
import type { PlacementMode } from '../api/schemas';
import type { MoveRequest, PlacedTenant, TenantPlacement } from '../data/operators';
import { t } from '../i18n';
import { wait } from './provisioning';

/** How often the page asks where a move stands. */
export const MOVE_POLL_MS = 1000;
/** The longest name of a cluster. */
export const CLUSTER_NAME_MAX = 63;

export interface MoveFormValues {
  mode: PlacementMode;
  /** A cluster's name, or `''` for the one the organisation is on. */
  cluster: string;
}

/** The form's errors: beside a field, or for the whole form (`form`). */
export type MoveErrors = Partial<Record<keyof MoveFormValues | 'form', string>>;

/** Only an organisation that serves its people can move (the server refuses the others). */
export function canMove(tenant: Pick<PlacedTenant, 'status'>): boolean {
  return tenant.status === 'active' || tenant.status === 'suspended';
}

/** The form as it opens: the placement the organisation is not in, on the cluster it is on. */
export function initialMove(mode: PlacementMode): MoveFormValues {
  return { mode: mode === 'pooled' ? 'dedicated' : 'pooled', cluster: '' };
}

/** What the form sends: a cluster only when one is typed. */
export function moveRequest(values: MoveFormValues): MoveRequest {
  const cluster = values.cluster.trim();
  return cluster ? { mode: values.mode, cluster } : { mode: values.mode };
}

/** The server's refusals that the form says itself: a placement or a cluster it does not take,
 * beside its field; the placement it has already, or a move not finished yet, for the whole
 * form. Anything else (`{}`) is the submission's to say. */
export function moveRefusal(error: unknown): MoveErrors {
  const found: MoveErrors = {};
  if (!(error instanceof ApiProblem)) return found;
  if (error.code === 'already_placed') found.form = t('operators.move.already_placed');
  if (error.code === 'move_in_progress') found.form = t('operators.move.in_progress');
  if (error.code !== 'validation_failed') return found;
  for (const e of error.errors) {
    if (e.field === 'mode') found.mode ??= t('operators.move.mode_invalid');
    else if (e.field === 'cluster') found.cluster ??= t('operators.move.cluster_invalid');
    else found.form ??= e.message;
  }
  return found;
}

/** Where a move stands: still going (`working`), `done` or `failed`. */
export type MoveOutcome = 'working' | 'done' | 'failed';

export function moveOutcome(placement: TenantPlacement): MoveOutcome {
  const status = placement.move?.status;
  return status === 'done' || status === 'failed' ? status : 'working';
}

/** A move as the placement the server shows tells it: copying, switching (the organisation's
 * writes wait meanwhile), moved (to which placement, on which cluster), or failed (why, and that
 * the organisation is still served from where it was). */
export function moveProgress(placement: TenantPlacement): string {
  const move = placement.move;
  switch (move?.status) {
    case undefined:
    case 'copying':
      return t('operators.move.copying');
    case 'switching':
      return t('operators.move.switching');
    case 'done': {
      const cluster = placement.cluster ?? move.to.cluster;
      return move.to.mode === 'dedicated' ? t('operators.move.done_dedicated', { cluster }) : t('operators.move.done_pooled', { cluster });
    }
    case 'failed': {
      // The server's reason, in a sentence that ends with a full stop of its own.
      const reason = move.error?.trim().replace(/[.\s]+$/, '');
      return reason ? t('operators.move.failed', { error: reason }) : t('operators.move.failed_plain');
    }
  }
}

export type Followed = { kind: 'settled'; placement: TenantPlacement } | { kind: 'lost'; error: unknown } | { kind: 'cancelled' };

export interface FollowOptions {
  /** The placement as the move started it (the answer to the request that started it). */
  started: TenantPlacement;
  read: (signal: AbortSignal) => Promise<TenantPlacement>;
  /** Each answer read, the last one included. */
  onProgress: (placement: TenantPlacement) => void;
  signal: AbortSignal;
  intervalMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Follows a move until it is done or has failed (`settled`, with the last answer), asking every
 * `intervalMs` (a second) where it stands. A failure that may pass (the network, a busy server)
 * is asked again at the next turn; any other ends the following (`lost`). */
export async function followMove(options: FollowOptions): Promise<Followed> {
  const { started, read, onProgress, signal, intervalMs = MOVE_POLL_MS } = options;
  const sleep = options.sleep ?? wait;
  if (moveOutcome(started) !== 'working') return { kind: 'settled', placement: started };
  while (!signal.aborted) {
    await sleep(intervalMs, signal);
    if (signal.aborted) break;
    try {
      const placement = await read(signal);
      onProgress(placement);
      if (moveOutcome(placement) !== 'working') return { kind: 'settled', placement };
    } catch (error) {
      if (signal.aborted) break;
      if (!(error instanceof ApiProblem && error.transient)) return { kind: 'lost', error };
    }
  }
  return { kind: 'cancelled' };
}
