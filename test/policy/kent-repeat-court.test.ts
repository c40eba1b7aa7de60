import { join } from 'node:path';
import { runCaseFile } from '../../src/policy/cases';

/**
 * Kent's repeat viewing without consent reads as the seed does (002, Appendix 2: "a warrant from a
 * magistrate"; child welfare "can only be authorised by a court"): one authority, a court — not "a court or a
 * manager or information governance" (issue 15 walk, finding 4) — while a first search without consent still
 * goes to a manager and information governance.
 */
const kent = join(__dirname, '../policy-cases/kent');

it('a repeat without consent names a court alone, in the words of the seed', () => {
  const r = runCaseFile(
    join(kent, '002-appendix-2-consent-a-repeat-without-consent-or-exception-goes-to-a-court-alone.json'),
  );
  expect(r.failures).toEqual([]);
  expect(r.verdict?.authorities).toEqual(['court']);
  expect(r.verdict?.determining).toEqual(['repeat-without-consent']);
  expect(r.verdict?.explanation).toMatch(/warrant from a magistrate/);
  expect(r.verdict?.explanation).toMatch(/only a court can authorise it\. Legal advice must be sought\./);
  expect(r.verdict?.explanation).toMatch(/Authority: a court\./);
  expect(r.verdict?.explanation).not.toMatch(/a manager|information governance/);
});

it('a first search without consent still needs a manager and information governance', () => {
  const r = runCaseFile(
    join(kent, '002-appendix-2-consent-without-consent-a-manager-must-agree-and-if-necessary-informa.json'),
  );
  expect(r.failures).toEqual([]);
  expect(r.verdict?.authorities).toEqual(['manager', 'information-governance']);
});
