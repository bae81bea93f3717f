/**
 * First and last name, side by side on wide screens; a new account's password; the checks of a
 * new account's fields.
 */

import { t } from '../i18n';
import { TextField } from '../ui/Field';
import { email, maxLength, newPassword, required } from '../ui/validate';

/** The checks on a new account: its names, its address, its password. */
export const NEW_ACCOUNT_RULES = {
  firstname: [required, maxLength(100)],
  lastname: [required, maxLength(100)],
  email: [required, email],
  password: [newPassword],
};

export function NameFields({ values, errors, set }: {
  values: { firstname: string; lastname: string };
  errors: { firstname?: string | undefined; lastname?: string | undefined };
  set: (field: 'firstname' | 'lastname') => (value: string) => void;
}) {
  return (
    <div class="field-row">
      <TextField label={t('field.firstname')} name="firstname" autocomplete="given-name" value={values.firstname} onValue={set('firstname')} error={errors.firstname} required />
      <TextField label={t('field.lastname')} name="lastname" autocomplete="family-name" value={values.lastname} onValue={set('lastname')} error={errors.lastname} required />
    </div>
  );
}

/** A new account's password, what it takes said below it. */
export function NewPasswordField(field: { name: string; value: string; error: string | undefined; onValue: (value: string) => void }) {
  return <TextField label={t('field.password')} {...field} type="password" autocomplete="new-password" hint={t('field.password_hint')} required />;
}
