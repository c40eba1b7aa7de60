import { median } from './dashboard';

describe('median (by selection, over several lists)', () => {
  it('agrees with sorting, for odd and even counts, ties and empty lists', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 100;
    for (let n = 1; n < 200; n += 7) {
      const xs = Array.from({ length: n }, () => Math.round(rnd()) / 2);
      const s = [...xs].sort((a, b) => a - b);
      const m = n % 2 ? s[n >> 1]! : (s[(n >> 1) - 1]! + s[n >> 1]!) / 2;
      expect(median([xs.slice(0, n >> 2), [], xs.slice(n >> 2)])).toBe(Math.round(m * 10) / 10);
    }
    expect(median([])).toBeNull();
    expect(median([[], []])).toBeNull();
    expect(median([[3, 3, 3, 1]])).toBe(3);
  });
});
