import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text whatever order keys were built in', () => {
    expect(canonicalJson({ x: 'é', y: null })).toBe(canonicalJson({ y: null, x: 'é' }));
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson(() => 1)).toThrow();
  });
});

describe('canonicalJson, as the first version wrote it', () => {
  /** The first version, kept here: every stored hash was made with its text, so the text must not change. */
  function first(value: unknown): string {
    if (value === null || typeof value !== 'object') return JSON.stringify(value);
    if (Array.isArray(value)) return `[${value.map((i) => (i === undefined ? 'null' : first(i))).join(',')}]`;
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, i]) => i !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, i]) => `${JSON.stringify(k)}:${first(i)}`).join(',')}}`;
  }

  it.each([
    ['nested objects and arrays', { b: [1, 'two', { d: null, c: true }], a: { z: -1.5e-7, y: [] } }],
    ['integer-like and other keys', { '10': 1, '9': 2, b: 3, A: 4, _: 5, é: 6, '': 7 }],
    ['undefined members and array holes', { a: undefined, b: [undefined, 1] }],
    ['strings needing escapes', { text: 'line\nbreak "quoted" \u2028 \\ é 😀' }],
    ['an empty object and array', { o: {}, a: [] }],
  ])('%s', (_name, value) => {
    expect(canonicalJson(value)).toBe(first(value));
  });
});
