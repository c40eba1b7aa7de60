/**
 * Every clause id of the five seed policies, as the public case format names them
 * (shared/policy-cases/FORMAT.md): 000's numbered paragraphs, 001's sections and consent form, 002's headings,
 * 003's numbered clauses and Appendix A, 004's sections and appendices. `overt policy coverage` accounts for
 * each one; test/policy/seed-clauses.test.ts checks this list against the seed texts.
 */
const n = (seed: string, ids: readonly (string | number)[]) => ids.map((id) => `${seed} §${id}`);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export const SEED_CLAUSES: Readonly<Record<string, readonly string[]>> = {
  '000': n('000', range(1, 27)),
  '001': n('001', [...range(1, 5), 'Consent form']),
  '002': n('002', [
    'Executive Summary',
    'Wider remit',
    'Professional capacity',
    'Information gathering',
    'Communicating',
    'General guidelines',
    'Procedure',
    'Appendix 1',
    'Appendix 2 Data protection',
    'Appendix 2 Consent',
    'Appendix 2 Golden rules',
  ]),
  '003': n('003', [
    '1.1.1',
    '1.1.2',
    '1.1.3',
    '1.2.1',
    '1.2.2',
    '1.2.3',
    '1.3.1',
    '2.1.1',
    '2.1.2',
    '2.2.1',
    '2.2.2',
    '2.2.3',
    '2.3.1',
    '2.3.2',
    '2.3.3',
    '2.3.4',
    '2.3.5',
    '2.3.6',
    '2.3.7',
    '2.3.8',
    '2.3.9',
    '2.3.10',
    '2.4.1',
    '2.4.2',
    '2.4.3',
    '2.4.4',
    '2.4.5',
    '2.4.6',
    '2.5.1',
    '2.5.2',
    '2.5.3',
    '2.5.4',
    '2.5.5',
    '2.5.6',
    '2.5.7',
    '2.6.1',
    '2.6.2',
    '2.6.3',
    '2.6.4',
    '2.7.1',
    '2.7.2',
    '2.7.3',
    '2.7.4',
    '2.7.5',
    '2.8.1',
    '2.8.2',
    '2.8.3',
    '2.8.4',
    '2.8.5',
    '2.8.6',
    '3.1.1',
    '3.1.2',
    '4.1.1',
    'Appendix A',
  ]),
  '004': n('004', [...range(1, 8), 'Appendix 1', 'Appendix 2']),
};

/** The seed a profile encodes (`000` for `000_….txt`), when it names one this list knows. */
export function seedOf(source: { seed?: string | undefined }): string | undefined {
  const seed = source.seed?.slice(0, 3);
  return seed && SEED_CLAUSES[seed] ? seed : undefined;
}
