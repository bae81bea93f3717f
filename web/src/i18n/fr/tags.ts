import type en from '../en/tags';

const fr: Record<keyof typeof en, string> = {
  'tags.quoted': '« {tag} »',
  'tags.invalid': '« {tag} » n’est pas une étiquette : utilisez de 1 à 50 lettres minuscules, chiffres, _, : ou -, en commençant par une lettre ou un chiffre.',

  'tags.ticket.title': 'Étiquettes',
  'tags.ticket.none': 'Aucune étiquette pour l’instant.',
  'tags.ticket.add': 'Ajouter une étiquette',
  'tags.ticket.add_hint': 'Par exemple « refund » ou « vip:gold » : lettres minuscules, chiffres, _, : et -. Appuyez sur Entrée pour l’ajouter.',
  'tags.ticket.submit': 'Ajouter l’étiquette',
  'tags.ticket.remove': 'Retirer l’étiquette {tag}',
  'tags.ticket.empty': 'Saisissez une étiquette à ajouter.',
  'tags.ticket.limit': 'Un ticket a au plus 20 étiquettes. Retirez-en une avant d’en ajouter une autre.',
  'tags.ticket.added': 'Étiquette « {tag} » ajoutée.',
  'tags.ticket.already': 'Le ticket a déjà l’étiquette « {tag} ».',
  'tags.ticket.removed': 'Étiquette « {tag} » retirée.',

  'tags.filter.label': 'Étiquette',
  'tags.filter.hint': 'Les tickets qui ont cette étiquette ; appuyez sur Entrée.',
  'tags.row.label': 'Étiquettes :',

  'tags.history.added.one': 'a ajouté l’étiquette {tags}',
  'tags.history.added.other': 'a ajouté les étiquettes {tags}',
  'tags.history.removed.one': 'a retiré l’étiquette {tags}',
  'tags.history.removed.other': 'a retiré les étiquettes {tags}',
  'tags.history.one': '{change}.',
  'tags.history.both': '{added} et {removed}.',
  'tags.history.created.one': 'a ouvert le ticket avec l’étiquette {tags}.',
  'tags.history.created.other': 'a ouvert le ticket avec les étiquettes {tags}.',
};

export default fr;
