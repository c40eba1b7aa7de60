/**
 * A refusal says what kind it is where it is made (failure-card.ts), and the route table reads the kind: a form
 * sent back for problems of its own that turns out to refuse who sent it keeps that refusal as the answer and the
 * reason on the trail; a form that marks its own problems is kept with every problem by its field. Before, the
 * route told them apart by comparing the refusal's words with the problems (6ce3a28), so a refusal of the sender
 * whose words were those of a field problem was taken for the form's own, and the trail kept the field.
 * Through the endpoint, the same is in authority-first.test.ts (a colleague's check form the schema refuses:
 * "Not yours to record"), ripa.test.ts and journeys.test.ts.
 */
import { refusedForm } from '../../src/bot/routes';
import { card, textBlock } from '../../src/bot/cards/build';
import {
  errorCard,
  markRefusal,
  notYoursCard,
  refusalKindOf,
  refusalOf,
} from '../../src/bot/views/failure-card';

const formCard = (why?: string) => {
  const made = card([textBlock('A form, as filled in')], { fallbackText: 'A form' });
  return why ? markRefusal(made, why, 'form') : made;
};

it('a refusal of who sent it stays the answer and the reason, even in the words of a field problem', () => {
  const sender = notYoursCard('Not yours to record', 'Only the person who asked records the check.');
  const words = refusalOf(sender)!;
  // The problems the schema found include one in the very words of the refusal.
  const problems = { viewedDate: words, accounts: 'Fill this in.' };
  const answer = refusedForm(sender, problems);
  expect(answer).toBe(sender);
  expect([refusalKindOf(answer), refusalOf(answer)]).toEqual([
    'sender',
    'Not yours to record: Only the person who asked records the check.',
  ]);
});

it('a form marking one of its problems is kept on the trail with every problem by its field, whatever its words', () => {
  const problems = { necessity: 'At most 4,000 characters: shorten it.', offence: 'Fill this in.' };
  const expected = 'necessity: At most 4,000 characters: shorten it.; offence: Fill this in.';
  // Marked with a problem given, with words of its own, or not marked at all.
  for (const why of [problems.necessity, 'Something else the form says', undefined]) {
    const answer = refusedForm(formCard(why), problems);
    expect([refusalKindOf(answer), refusalOf(answer)]).toEqual(['form', expected]);
  }
});

it('a card that stops the form being shown (no such request) is the answer, as before', () => {
  const gone = errorCard('No such request', 'Overt has no such request.');
  const answer = refusedForm(gone, { accounts: 'Fill this in.' });
  expect(answer).toBe(gone);
  expect([refusalKindOf(answer), refusalOf(answer)]).toEqual([
    'other',
    'No such request: Overt has no such request.',
  ]);
});
