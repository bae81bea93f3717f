import { describe, expect, it } from 'vitest';
import type { Onboarding } from '../data/onboarding';
import { STEPS, portalAddress, showsChecklist, stepsLeft } from './onboarding';

const checklist = (done: Partial<Onboarding['steps']> = {}, dismissed = false): Onboarding => ({
  steps: { invite_agents: false, connect_mail: false, share_portal: false, publish_article: false, ...done },
  dismissed,
});

describe('the onboarding checklist', () => {
  it('lists every step the server answers, once', () => {
    expect([...STEPS].sort()).toEqual(Object.keys(checklist().steps).sort());
  });

  it('leaves the steps not done, in the order shown', () => {
    expect(stepsLeft(checklist())).toEqual(['invite_agents', 'connect_mail', 'share_portal', 'publish_article']);
    expect(stepsLeft(checklist({ connect_mail: true, publish_article: true }))).toEqual(['invite_agents', 'share_portal']);
    expect(stepsLeft(checklist({ invite_agents: true, connect_mail: true, share_portal: true, publish_article: true }))).toEqual([]);
  });

  it('shows while a step is left and nobody dismissed it', () => {
    expect(showsChecklist(checklist())).toBe(true);
    expect(showsChecklist(checklist({ invite_agents: true, connect_mail: true, share_portal: true }))).toBe(true);
    expect(showsChecklist(checklist({}, true))).toBe(false);
    expect(showsChecklist(checklist({ invite_agents: true, connect_mail: true, share_portal: true, publish_article: true }))).toBe(false);
  });

  it('gives the portal’s address on this host', () => {
    expect(portalAddress('https://acme.helpdeskly.example')).toBe('https://acme.helpdeskly.example/');
    expect(portalAddress('http://acme.localhost:6501/')).toBe('http://acme.localhost:6501/');
  });
});
