/** Accept an invitation as a new person: the account takes the invitation's email. */

import { ApiProblem } from '../api/problem';
import { joinByInvitation, type Newcomer } from '../data/account';
import { t } from '../i18n';
import { TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert } from '../ui/status';
import { maxLength, newPassword, required } from '../ui/validate';
import { NameFields, NewPasswordField } from './PersonFields';
import { signInAfter } from './signInAfter';

/** The contract names the body `NewPerson`, email included, but the email is the invitation's
 * and the server refuses one in the body: the other fields keep their contract types. */
function newcomer(fields: Omit<Newcomer, 'email'>): Newcomer {
  return fields as Newcomer;
}

export function InviteNewAccount({ slug, token, onProblem }: { slug: string; token: string; onProblem: (error: unknown) => void }) {
  const form = useFields({ firstname: '', lastname: '', password: '' });
  const submission = useSubmit();
  const { values, errors } = form;

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.check({ firstname: [required, maxLength(100)], lastname: [required, maxLength(100)], password: [newPassword] })) return;
    void submission.run(async () => {
      let joined;
      try {
        joined = await joinByInvitation(token, newcomer({ password: values.password, firstname: values.firstname.trim(), lastname: values.lastname.trim() }));
      } catch (error) {
        if (error instanceof ApiProblem) form.showServerErrors(error);
        onProblem(error);
        throw error;
      }
      await signInAfter(slug, joined.user.email, values.password, 'joined');
    });
  };

  return (
    <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
      <NameFields values={values} errors={errors} set={form.set} />
      <NewPasswordField {...form.field('password')} />
      <ErrorAlert error={submission.error} overrides={{ not_found: 'auth.invite.invalid', validation_failed: 'error.check_fields' }} />
      <button type="submit" class="button" disabled={submission.busy}>
        {t('auth.invite.submit')}
      </button>
    </form>
  );
}
