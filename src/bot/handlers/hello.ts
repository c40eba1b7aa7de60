/**
 * "hi" answers by role, with what that role comes to Overt to do (issue 13): a case manager the request
 * form; a team manager or the service manager what waits for their decision; an authorising officer the RIPA
 * queue (applications waiting, authorisations in force, reviews due) and information governance the central
 * record; an administrator the list of commands. Each is the card its own command gives.
 */
import type { Role } from '../../policy/situation';
import type { Turn, VerbHandler } from '../turn';
import type { Verb } from '../verbs';
import { helpCard } from '../views/conversation-cards';
import { childVerbs } from './children';
import { requestVerbs } from './requests';
import { ripaVerbs } from './ripa';

/** The command a person's hello answers with, by their role; none for the list of commands. */
export const HELLO: Record<Role, Verb | undefined> = {
  'case-manager': 'request.new',
  'team-manager': 'requests.waiting',
  'service-manager': 'requests.waiting',
  'authorised-officer': 'ripa.queue',
  'information-governance': 'ripa.queue',
  administrator: undefined,
};

const onHello: VerbHandler<'hello'> = (_data, turn: Turn) => {
  switch (HELLO[turn.staff.role]) {
    case 'request.new':
      return requestVerbs['request.new']({}, turn);
    case 'requests.waiting':
      return childVerbs['requests.waiting']({ page: 1 }, turn);
    case 'ripa.queue':
      return ripaVerbs['ripa.queue']({ page: 1 }, turn);
    default:
      return Promise.resolve(helpCard(undefined, turn.staff.role));
  }
};

export const helloVerbs = { hello: onHello };
