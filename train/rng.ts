/**
 * Small seeded PRNG (mulberry32) so every random choice in training and
 * evaluation is reproducible. The state is a single uint32 (checkpointable).
 *
 * @example
 * const rng = createRng(42);
 * rng.next();      // float in [0, 1)
 * rng.int(10);     // integer in [0, 10)
 * rng.state;       // uint32, restore with createRng(0, savedState)
 */
export interface Rng {
  next(): number;
  int(n: number): number;
  readonly state: number;
}

/** See {@link Rng}. */
export function createRng(seed: number, state?: number): Rng {
  let s = (state ?? (seed ^ 0x9e3779b9)) >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    get state() {
      return s;
    },
  };
}

/**
 * In-place Fisher–Yates shuffle with a seeded generator.
 *
 * @example
 * shuffleInPlace([1, 2, 3, 4], createRng(1));
 */
export function shuffleInPlace<T>(arr: T[], rng: Rng): T[] {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = arr[i]!;
    arr[i] = arr[j]!;
    arr[j] = t;
  }
  return arr;
}
