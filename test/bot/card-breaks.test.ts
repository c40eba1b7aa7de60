/**
 * Issue 20 (walk finding 3): a word joiner (U+2060) or a no-break space in a handle or a time made a FactSet
 * value one unbreakable word, and a phone's card (400 px) cut it off. Overt put word joiners there itself
 * (after each "." ":" "@" inside a word, to keep a linkifier off typed text), and text stored before the
 * boundary removed them may hold them too. The approver's card is rendered as Teams' clients render it
 * (adaptivecards + markdown-it, headless Chromium) at 400 px and 1280 px, screenshots kept under
 * test-artifacts/cards/breaks/; nothing may be cut off or wider than the card, and the text still reads as typed.
 */
import { readFileSync } from 'node:fs';
import { validateCard } from '../../src/bot/cards/validate';
import { approverCard } from '../../src/bot/views/approval-card';
import { hostileView } from '../cards/samples';
import { renderCardShots } from './card-shots';
import { textOf } from './client';

const WJ = '\u2060';
const NBSP = '\u00a0';
const NNBSP = '\u202f';

// Long fictional handles: dots and underscores, the places a person would expect them to wrap.
const handles = [
  `@north${WJ}.${WJ}yorkshire${WJ}.${WJ}demo${WJ}.${WJ}account${WJ}.${WJ}for${WJ}.${WJ}a${WJ}.${WJ}phone`,
  `@second.fictional.handle.that.is.long.enough.to.wrap.twice.over`,
];

describe('a phone-width card breaks long handles and times instead of cutting them off', () => {
  it('the approver’s card at 400 px: no fact cut off, nothing wider than the card (screenshots kept)', async () => {
    const view = {
      ...hostileView,
      id: 'req-breaks',
      rationale: `Seen at${NBSP}10:${WJ}45${NNBSP}on the shared screen; the accounts are ${handles[1]}`,
      requesterName: `Dara${NBSP}Dunmore${NBSP}(demo)`,
      objection: null,
      decided: undefined,
      platforms: [
        { platform: 'instagram', account: handles[0]! },
        { platform: 'tiktok', account: handles[1]! },
      ],
    };
    const card = approverCard(view, ['aad-team-manager']);
    expect(validateCard(card)).toEqual({ ok: true });
    // What a reader sees: the handles as typed, with no invisible characters left in the card at all.
    const json = JSON.stringify(card);
    expect(json).not.toMatch(/[\u2060\u00a0\u202f\u2007\ufeff]/);
    expect(textOf(card)).toContain(handles[1]);
    expect(textOf(card)).toContain(handles[0]!.replaceAll(WJ, ''));

    const shots = await renderCardShots(new Map([['approver-long-handles', card as never]]), 'cards/breaks');
    expect(shots.map((s) => s.width)).toEqual([400, 1280]);
    for (const s of shots) {
      expect(readFileSync(s.path).length).toBeGreaterThan(1000);
      expect({ width: s.width, problems: s.problems }).toEqual({ width: s.width, problems: [] });
    }
  }, 60_000);

  it('the check can fail: the same value made one unbreakable word is reported cut off at 400 px', async () => {
    const unbreakable = handles[1]!.replace(/([.:@])/g, `$1${WJ}`);
    const card = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'FactSet', facts: [{ title: 'Platforms', value: `tiktok: ${unbreakable}` }] }],
    };
    const [narrow] = await renderCardShots(new Map([['unbreakable-without-fix', card]]), 'cards/breaks');
    expect(narrow!.width).toBe(400);
    expect(narrow!.problems.join('\n')).toMatch(/(wider than the card|cut off): .*(second|needs)/);
  }, 60_000);
});
