/**
 * A rule's log, from its row: its last runs, newest first (the ticket, linked; when; what set it
 * off; how deep in a chain of rules; what it changed, or why its actions were refused), older
 * ones a page at a time, read again on demand.
 */

import { useId, useState } from 'preact/hooks';
import { useResource } from '../../data/resource';
import { ruleRuns, type Rule, type RuleRun } from '../../data/rules';
import { formatDateTime, formatNumber, t } from '../../i18n';
import { Link } from '../../router/router';
import { useSubmit } from '../../ui/hooks';
import { EmptyState, Loaded, LoadMore } from '../../ui/status';
import { effectText, moreRuns, runTriggerText, type EffectNames } from '../rules';

/** How many runs a page holds. */
const PAGE = 20;

export function RuleRuns({ rule, names }: { rule: Rule; names: EffectNames }) {
  const head = useResource(`rule-runs:${rule.id}`, (signal) => ruleRuns(rule.id, undefined, PAGE, signal));
  // Pages read further down, after the first.
  const [older, setOlder] = useState<{ items: RuleRun[]; cursor: string | null } | null>(null);
  const more = useSubmit();
  const id = useId();

  const refresh = () => {
    setOlder(null);
    void head.refresh();
  };
  const loadMore = (cursor: string) =>
    void more.run(async () => {
      const page = await ruleRuns(rule.id, cursor, PAGE);
      setOlder((held) => ({ items: moreRuns(held?.items ?? [], page.data), cursor: page.next_cursor ?? null }));
    });

  return (
    <section class="rule-panel" aria-labelledby={id}>
      <div class="section-head">
        <h3 id={id}>{t('rules.runs.title', { name: rule.name })}</h3>
        <button type="button" class="button button--secondary button--small" aria-label={t('rules.runs.refresh_named', { name: rule.name })} onClick={refresh}>
          {t('rules.runs.refresh')}
        </button>
      </div>
      <Loaded resource={head}>
        {(first) => {
          const items = moreRuns(first.data, older?.items ?? []);
          const cursor = older ? older.cursor : (first.next_cursor ?? null);
          return (
            <>
              {items.length ? (
                <div class="table-wrap">
                  <table class="attempts rule-runs">
                    <caption>{t('rules.runs.caption', { name: rule.name })}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('rules.runs.ticket')}</th>
                        <th scope="col">{t('rules.runs.when')}</th>
                        <th scope="col">{t('rules.runs.trigger')}</th>
                        <th scope="col">{t('rules.runs.depth')}</th>
                        <th scope="col">{t('rules.runs.outcome')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {items.map((run) => (
                        <RunRow key={run.id} run={run} names={names} />
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <EmptyState title={t('rules.runs.empty')} />
              )}
              <LoadMore more={more} label={t('rules.runs.more')} onMore={cursor ? () => loadMore(cursor) : null} retry={false} />
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function RunRow({ run, names }: { run: RuleRun; names: EffectNames }) {
  return (
    <tr>
      <th scope="row">
        <Link href={`/tickets/${run.ticket_id}`}>{run.ticket_number}</Link>
      </th>
      <td>
        <time dateTime={run.at}>{formatDateTime(run.at)}</time>
      </td>
      <td>{runTriggerText(run.trigger)}</td>
      <td>{run.depth ? t('rules.runs.depth_chain', { depth: formatNumber(run.depth) }) : t('rules.runs.depth_direct')}</td>
      <td class="attempt-error">
        {run.error ? (
          <span class="rule-run-error">{t('rules.runs.refused', { error: run.error })}</span>
        ) : run.changes?.length ? (
          <ul class="rule-effects">
            {run.changes.map((change, i) => (
              <li key={i}>{effectText(change, names)}</li>
            ))}
          </ul>
        ) : (
          t('rules.runs.nothing')
        )}
      </td>
    </tr>
  );
}
