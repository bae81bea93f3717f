import type { MessageKey } from '../../i18n';

/** The roles a member can hold, and those an invitation can give (owners are made, not invited). */
export const MEMBER_ROLES = ['owner', 'admin', 'agent', 'customer'] as const;
export const INVITE_ROLES = ['agent', 'admin', 'customer'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const ROLE_LABEL: Record<MemberRole, MessageKey> = {
  owner: 'console.team.role_owner',
  admin: 'console.team.role_admin',
  agent: 'console.team.role_agent',
  customer: 'console.team.role_customer',
};

export function roleLabel(role: string): MessageKey | null {
  return (MEMBER_ROLES as readonly string[]).includes(role) ? ROLE_LABEL[role as MemberRole] : null;
}
