/** Every migration, in order. New migrations are appended here. */
import { Init1763780000000 } from './1763780000000-init.js';
import { Notifications1763790000000 } from './1763790000000-notifications.js';

export const MIGRATIONS = [Init1763780000000, Notifications1763790000000];
