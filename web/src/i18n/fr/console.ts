import type en from '../en/console';

const fr: Record<keyof typeof en, string> = {
  'console.nav.home': 'Console',
  'console.title': 'Console',
  'console.signed_in_as': 'Connecté en tant que {name} ({role}).',
  'console.coming': 'La console des agents arrive bientôt. En attendant, les tickets de cette organisation sont traités via l’API.',
};
export default fr;
