/**
 * Which tickets agents see and work (`agent_ticket_access`): every ticket (the default), their
 * teams' and the queue of no team, or only their own. Owners and admins always see everything;
 * the change holds from the agents' next page.
 */

import { setAgentTicketAccess, type AgentTicketAccess } from '../../data/organisation';
import { SettingChoicePanel, type SettingChoice } from './SettingChoicePanel';

const ACCESS: SettingChoice<AgentTicketAccess> = {
  name: 'agent_ticket_access',
  title: 'console.access.title',
  legend: 'console.access.legend',
  note: 'console.access.admins',
  submit: 'console.access.submit',
  choices: [
    { value: 'all', label: 'console.access.all', hint: 'console.access.all_hint' },
    { value: 'teams', label: 'console.access.teams', hint: 'console.access.teams_hint' },
    { value: 'assigned', label: 'console.access.assigned', hint: 'console.access.assigned_hint' },
  ],
  current: (settings) => settings.agent_ticket_access ?? 'all',
  save: setAgentTicketAccess,
};

export function TicketAccessPanel() {
  return <SettingChoicePanel setting={ACCESS} />;
}
