import type { en } from '../en';
import common from './common';
import domain from './domain';
import errors from './errors';
import signup from './signup';

export const areas = { common, domain, errors, signup };
export const fr: Record<keyof typeof en, string> = { ...common, ...domain, ...errors, ...signup };
