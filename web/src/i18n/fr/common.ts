import type en from '../en/common';

const fr: Record<keyof typeof en, string> = {
  'common.app_name': 'Helpdeskly',
  'common.skip_to_content': 'Aller au contenu principal',
  'common.nav_label': 'Navigation principale',
  'common.language': 'Langue',
  'common.sign_out': 'Se déconnecter',
  'common.loading': 'Chargement…',
  'common.retry': 'Réessayer',
  'common.crash.title': 'Un problème est survenu',
  'common.crash.body': 'Cette page a rencontré un problème. Recharger la page suffit généralement.',
  'common.crash.reload': 'Recharger la page',
  'common.not_found.title': 'Page introuvable',
  'common.not_found.body': 'Il n’y a rien à cette adresse.',
  'common.not_found.home': 'Aller à l’accueil',
  'validation.required': 'Ce champ est obligatoire.',
  'validation.email': 'Saisissez une adresse e-mail comme nom@exemple.fr.',
  'validation.password_short': 'Utilisez au moins 12 caractères.',
  'validation.password_long': 'Utilisez au plus 128 caractères.',
  'validation.too_long': 'Ce texte est trop long.',
  'validation.code': 'Saisissez les 6 chiffres affichés par votre application d’authentification.',
  'validation.number': 'Saisissez uniquement des chiffres.',
};
export default fr;
