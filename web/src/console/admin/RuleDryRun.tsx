/**
 * A rule tried on a ticket, from its row: the ticket's number, then whether the rule's
 * conditions hold for it now and what its actions would change (or why they would be refused),
 * saying that nothing was changed. A disabled rule can be tried too.
 */

import { useId, useState } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { dryRunRule, type DryRun, type Rule } from '../../data/rules';
import { t } from '../../i18n';
import { TextField } from '../../ui/Field';
import { useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import { effectText, ticketNumber, type EffectNames } from '../rules';

export function RuleDryRun({ rule, names }: { rule: Rule; names: EffectNames }) {
  const form = useFields({ number: '' }, { editAnswersForm: true });
  const submission = useSubmit();
  const [result, setResult] = useState<{ number: string; run: DryRun } | null>(null);
  const id = useId();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const number = ticketNumber(form.values.number);
    if (!number) return void form.show({ number: t('rules.try.number_invalid') });
    setResult(null);
    void submission.run(async () => {
      try {
        setResult({ number, run: await dryRunRule(rule.id, number) });
      } catch (error) {
        if (error instanceof ApiProblem && error.code === 'not_found') return void form.show({ number: t('rules.try.not_found', { number }) });
        throw error;
      }
    });
  };

  return (
    <section class="rule-panel" aria-labelledby={id}>
      <h3 id={id}>{t('rules.try.title', { name: rule.name })}</h3>
      <p class="hint">{t('rules.try.lead')}</p>
      <form ref={form.ref} class="form form--inline rule-try-form" onSubmit={onSubmit} noValidate>
        <TextField
          label={t('rules.try.number')}
          {...form.field('number', 'ticket_number')}
          hint={t('rules.try.number_hint')}
          autocomplete="off"
          spellcheck={false}
        />
        <button type="submit" class="button" disabled={submission.busy}>
          {submission.busy ? t('common.working') : t('rules.try.submit')}
        </button>
      </form>
      <ErrorAlert error={submission.error} />
      {/* Present before any answer, so the answer is announced when it comes. */}
      <div role="status" class="rule-try-result">
        {result ? <Outcome number={result.number} run={result.run} names={names} /> : null}
      </div>
    </section>
  );
}

function Outcome({ number, run, names }: { number: string; run: DryRun; names: EffectNames }) {
  let said: string;
  if (!run.matches) said = t('rules.try.no_match', { number });
  else if (run.error) said = t('rules.try.refused', { number, error: run.error });
  else if (run.changes.length) said = t('rules.try.changes', { number });
  else said = t('rules.try.nothing', { number });
  return (
    <div class={run.error ? 'alert alert--error' : 'alert alert--info'}>
      <p>
        <strong>{said}</strong>
      </p>
      {run.matches && !run.error && run.changes.length ? (
        <ul class="rule-effects">
          {run.changes.map((change, i) => (
            <li key={i}>{effectText(change, names)}</li>
          ))}
        </ul>
      ) : null}
      <p>{t('rules.try.unchanged')}</p>
    </div>
  );
}
