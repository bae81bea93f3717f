import common from './common';
import domain from './domain';
import errors from './errors';

export const areas = { common, domain, errors };
export const en = { ...common, ...domain, ...errors };
