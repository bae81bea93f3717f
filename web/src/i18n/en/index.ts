import auth from './auth';
import common from './common';
import console from './console';
import domain from './domain';
import errors from './errors';
import inbound from './inbound';
import integrations from './integrations';
import macros from './macros';
import notifications from './notifications';
import portal from './portal';
import satisfaction from './satisfaction';
import signup from './signup';
import fields from './fields';
import schedules from './schedules';
import tags from './tags';
import teams from './teams';

export const areas = { common, domain, errors, auth, signup, portal, console, notifications, integrations, inbound, macros, satisfaction, teams, tags, fields, schedules };
export const en = { ...common, ...domain, ...errors, ...auth, ...signup, ...portal, ...console, ...notifications, ...integrations, ...inbound, ...macros, ...satisfaction, ...teams, ...tags, ...fields, ...schedules };
