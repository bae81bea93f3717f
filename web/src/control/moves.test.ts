import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import type { TenantMove, TenantPlacement } from '../data/operators';
import { setLocale } from '../i18n';
import { canMove, followMove, initialMove, moveOutcome, moveProgress, moveRefusal, moveRequest } from './moves';

setLocale('en');

function placed(status: TenantMove['status'] | null, extra: Partial<TenantMove> = {}, to: TenantMove['to'] = { mode: 'dedicated', cluster: 'default' }): TenantPlacement {
  const move: TenantMove | null =
    status === null
      ? null
      : {
          id: 'b3f1c2d4-0000-4000-8000-000000000001',
          from: { mode: 'pooled', cluster: 'default', database: 'hd_pool_1' },
          to,
          status,
          started_at: '2030-05-01T10:00:00Z',
          finished_at: status === 'done' || status === 'failed' ? '2030-05-01T10:00:08Z' : null,
          error: null,
          ...extra,
        };
  const done = status === 'done';
  return { mode: done ? to.mode : 'pooled', cluster: done ? to.cluster : 'default', database: done ? 'hd_acme' : 'hd_pool_1', move };
}

describe('the move form', () => {
  it('opens on the placement the organisation is not in, on its own cluster', () => {
    expect(initialMove('pooled')).toEqual({ mode: 'dedicated', cluster: '' });
    expect(initialMove('dedicated')).toEqual({ mode: 'pooled', cluster: '' });
  });

  it('sends a cluster only when one is typed', () => {
    expect(moveRequest({ mode: 'dedicated', cluster: '  ' })).toEqual({ mode: 'dedicated' });
    expect(moveRequest({ mode: 'pooled', cluster: ' eu-west ' })).toEqual({ mode: 'pooled', cluster: 'eu-west' });
  });

  it('is offered to the organisations that serve their people', () => {
    expect(canMove({ status: 'active' })).toBe(true);
    expect(canMove({ status: 'suspended' })).toBe(true);
    for (const status of ['provisioning', 'deleting', 'deleted', 'failed'] as const) expect(canMove({ status })).toBe(false);
  });
});

describe('moveRefusal', () => {
  it('says a refused field beside it, in the form’s words', () => {
    const refused = new ApiProblem({ status: 422, code: 'validation_failed', errors: [{ field: 'cluster', message: 'must name an active cluster' }] });
    expect(moveRefusal(refused)).toEqual({ cluster: 'No active cluster has this name.' });
    const mode = new ApiProblem({ status: 422, code: 'validation_failed', errors: [{ field: 'mode', message: 'must be one of pooled, dedicated' }] });
    expect(moveRefusal(mode)).toEqual({ mode: 'Choose where to move it: a shared database or its own.' });
  });

  it('says a placement it has already, or a move not finished, for the whole form', () => {
    expect(moveRefusal(new ApiProblem({ status: 409, code: 'already_placed' }))).toEqual({ form: 'It is there already: choose another placement or another cluster.' });
    expect(moveRefusal(new ApiProblem({ status: 409, code: 'move_in_progress' })).form).toMatch(/^A move of this organisation has not finished yet/);
  });

  it('leaves any other failure to the submission', () => {
    expect(moveRefusal(new ApiProblem({ status: 409, code: 'conflict' }))).toEqual({});
    expect(moveRefusal(new ApiProblem({ status: 0, code: 'network_error' }))).toEqual({});
    expect(moveRefusal(new Error('boom'))).toEqual({});
  });
});

describe('moveProgress', () => {
  it('says each step of a move', () => {
    expect(moveProgress(placed('copying'))).toBe('Copying its data…');
    expect(moveProgress(placed('switching'))).toBe('Switching: its changes wait a few seconds…');
    expect(moveProgress(placed('done'))).toBe('Moved to its own database on cluster default.');
    expect(moveProgress(placed('done', {}, { mode: 'pooled', cluster: 'eu-west' }))).toBe('Moved to a shared database on cluster eu-west.');
  });

  it('says why a move failed, and that the organisation is still served where it was', () => {
    expect(moveProgress(placed('failed', { error: 'the target database could not be created.' }))).toBe(
      'The move failed: the target database could not be created. It is still served where it was.',
    );
    expect(moveProgress(placed('failed'))).toBe('The move failed. It is still served where it was.');
  });

  it('in French too', () => {
    setLocale('fr');
    try {
      expect(moveProgress(placed('copying'))).toBe('Copie de ses données…');
      expect(moveProgress(placed('done'))).toBe('Déplacée vers une base dédiée sur le cluster default.');
      expect(moveProgress(placed('failed', { error: 'disk full' }))).toBe('Le déplacement a échoué : disk full. Elle reste hébergée là où elle était.');
    } finally {
      setLocale('en');
    }
  });

  it('is still going until done or failed', () => {
    expect(moveOutcome(placed('copying'))).toBe('working');
    expect(moveOutcome(placed('switching'))).toBe('working');
    expect(moveOutcome(placed('done'))).toBe('done');
    expect(moveOutcome(placed('failed'))).toBe('failed');
  });
});

describe('followMove', () => {
  function follow(answers: (TenantPlacement | Error)[], started = placed('copying')) {
    const seen: string[] = [];
    const sleeps: number[] = [];
    const result = followMove({
      started,
      signal: new AbortController().signal,
      read: async () => {
        const next = answers.shift();
        if (!next) throw new Error('asked once too often');
        if (next instanceof Error) throw next;
        return next;
      },
      onProgress: (placement) => seen.push(placement.move?.status ?? 'none'),
      sleep: async (ms) => void sleeps.push(ms),
    });
    return { result, seen, sleeps };
  }

  it('asks every second until the move is done', async () => {
    const { result, seen, sleeps } = follow([placed('copying'), placed('switching'), placed('done')]);
    expect(await result).toEqual({ kind: 'settled', placement: placed('done') });
    expect(seen).toEqual(['copying', 'switching', 'done']);
    expect(sleeps).toEqual([1000, 1000, 1000]);
  });

  it('asks nothing of a move already over', async () => {
    const { result, sleeps } = follow([], placed('failed'));
    expect((await result).kind).toBe('settled');
    expect(sleeps).toEqual([]);
  });

  it('asks again after a failure that may pass, and stops at any other', async () => {
    const busy = new ApiProblem({ status: 503, code: 'server_busy' });
    const passing = follow([busy, ApiProblem.network(new TypeError('offline')), placed('failed')]);
    expect(await passing.result).toEqual({ kind: 'settled', placement: placed('failed') });
    const gone = new ApiProblem({ status: 404, code: 'not_found' });
    const lost = follow([placed('switching'), gone]);
    expect(await lost.result).toEqual({ kind: 'lost', error: gone });
  });

  it('stops when the page no longer follows it', async () => {
    const controller = new AbortController();
    const result = followMove({
      started: placed('copying'),
      signal: controller.signal,
      read: async () => placed('copying'),
      onProgress: () => controller.abort(),
      sleep: async () => {},
    });
    expect(await result).toEqual({ kind: 'cancelled' });
  });
});
