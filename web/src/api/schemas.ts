/** Names for the contract's shapes the app works with. */

import type { AppSchemas, ControlSchemas } from './types';

export type TokenResponse = ControlSchemas['TokenResponse'];
export type MfaChallenge = ControlSchemas['MfaChallenge'];
export type Role = ControlSchemas['Role'];
export type UserProfile = ControlSchemas['UserProfile'];
export type TenantRef = ControlSchemas['TenantRef'];
export type TenantStatus = ControlSchemas['TenantStatus'];
export type TenantStatusView = ControlSchemas['TenantStatusView'];
export type PlacementMode = ControlSchemas['PlacementMode'];
export type TwoFactorSetup = ControlSchemas['TwoFactorSetup'];

export type Member = AppSchemas['Me'];
export type Ticket = AppSchemas['Ticket'];
export type TicketDetail = AppSchemas['TicketDetail'];
export type TicketStatus = AppSchemas['Status'];
export type Priority = AppSchemas['Priority'];
export type Message = AppSchemas['Message'];
export type Attachment = AppSchemas['Attachment'];
export type AttachmentSummary = AppSchemas['AttachmentSummary'];
export type TicketSla = AppSchemas['TicketSla'];
export type TicketView = AppSchemas['TicketView'];
export type TicketListItem = AppSchemas['TicketListItem'];
export type SlaBadge = AppSchemas['SlaBadge'];
export type Team = AppSchemas['Team'];
export type NewTeam = AppSchemas['NewTeam'];
export type TeamChange = AppSchemas['TeamChange'];
export type TeamAssignment = AppSchemas['TeamAssignment'];
export type Availability = AppSchemas['Availability'];
export type TagCount = AppSchemas['TagCount'];
export type View = AppSchemas['View'];
export type NewView = AppSchemas['NewView'];
export type ViewPatch = AppSchemas['ViewPatch'];
export type ViewCount = AppSchemas['ViewCount'];
export type ViewSort = AppSchemas['Sort'];
export type Organization = AppSchemas['Organization'];
export type OrganizationPage = AppSchemas['OrganizationPage'];
export type NewOrganization = AppSchemas['NewOrganization'];
export type OrganizationChange = AppSchemas['OrganizationChange'];
export type OrganizationMember = AppSchemas['OrganizationMember'];
export type OrganizationMembership = AppSchemas['OrganizationMembership'];
export type OrganizationRole = AppSchemas['OrganizationRole'];
export type CustomerOrganization = AppSchemas['CustomerOrganization'];
