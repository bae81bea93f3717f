import type en from '../en/signup';

const fr: Record<keyof typeof en, string> = {
  'signup.nav': 'Inscription',
  'signup.title': 'Créez votre service d’assistance',
  'signup.lead': 'Créez un espace de support pour votre organisation. Cela prend moins d’une minute.',
  'signup.organisation': 'Votre organisation',
  'signup.organization_name': 'Nom de l’organisation',
  'signup.slug': 'Adresse',
  'signup.slug_hint': 'Votre service d’assistance sera à l’adresse {address}.',
  'signup.owner': 'Votre compte',
  'signup.submit': 'Créer l’organisation',
  'signup.submitting': 'Création…',
  'signup.conflict': 'Cette adresse est déjà prise, ou un compte utilise déjà cet e-mail. Choisissez une autre adresse, ou connectez-vous à votre organisation.',
  'signup.find.title': 'Vous avez déjà un service d’assistance ?',
  'signup.find.slug': 'Adresse de l’organisation',
  'signup.find.submit': 'Aller à la connexion',
  'signup.find.not_found': 'Aucune organisation n’a cette adresse.',
  'setup.title': 'Création de votre service d’assistance',
  'setup.progress_label': 'Progression de la création',
  'setup.waiting': 'Préparation de {slug}… Cela prend généralement quelques secondes.',
  'setup.ready': '{slug} est prêt. Redirection vers sa page de connexion…',
  'setup.go_to_login': 'Aller à la page de connexion',
  'setup.timeout': 'La création de {slug} prend plus de temps que prévu. Elle peut encore aboutir : vérifiez à nouveau dans quelques minutes.',
  'setup.check_again': 'Vérifier à nouveau',
  'setup.failed': 'La création de {slug} a échoué. Contactez le support.',
  'setup.not_found': 'Aucune organisation n’existe à l’adresse {slug}.',
};
export default fr;
