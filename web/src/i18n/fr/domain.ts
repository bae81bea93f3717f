import type en from '../en/domain';

const fr: Record<keyof typeof en, string> = {
  'status.open': 'Ouvert',
  'status.in_progress': 'En cours',
  'status.waiting_customer': 'En attente de votre réponse',
  'status.resolved': 'Résolu',
  'status.closed': 'Fermé',
  'priority.low': 'Basse',
  'priority.medium': 'Moyenne',
  'priority.high': 'Haute',
  'priority.urgent': 'Urgente',
  'role.owner': 'propriétaire',
  'role.admin': 'administrateur',
  'role.agent': 'agent',
  'role.customer': 'client',
  'role.platform_admin': 'administrateur de la plateforme',
  'sla.paused': 'En attente de votre part',
  'sla.due.response': 'Première réponse attendue avant le {time}',
  'sla.due.resolution': 'Résolution attendue avant le {time}',
  'sla.due.next_response': 'Prochaine réponse attendue avant le {time}',
  'sla.breached.response': 'Première réponse en retard',
  'sla.breached.resolution': 'Résolution en retard',
  'sla.breached.next_response': 'Prochaine réponse en retard',
};
export default fr;
