/** Latency samples of one bench case, and the figures printed for it. */
export interface Sample {
  label: string;
  ms: number[];
  seconds: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(s: Sample): { n: number; rps: number; p50: number; p99: number } {
  const sorted = [...s.ms].sort((a, b) => a - b);
  return { n: sorted.length, rps: sorted.length / s.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/**
 * Runs `once` one call at a time after `warmup` calls, until `budgetMs` has passed (at least
 * `minRuns`, at most `maxRuns`), and records each call's latency.
 */
export async function measure(label: string, once: () => Promise<void>, o: { warmup?: number; budgetMs: number; minRuns?: number; maxRuns?: number }): Promise<Sample> {
  for (let i = 0; i < (o.warmup ?? 3); i++) await once();
  const ms: number[] = [];
  const start = performance.now();
  while (ms.length < (o.minRuns ?? 5) || (performance.now() - start < o.budgetMs && ms.length < (o.maxRuns ?? 10_000))) {
    const t = performance.now();
    await once();
    ms.push(performance.now() - t);
  }
  return { label, ms, seconds: (performance.now() - start) / 1000 };
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/**
 * How adapter and raw take turns: 6 s each, in 16 short blocks. On a shared VM the machine's speed
 * drifts by half within seconds; short alternating blocks let both cases see the same machine.
 */
export const PAIR_TURNS = { warmupMs: 1500, budgetMs: 6000, rounds: 16, minRuns: 16 } as const;

/**
 * Measures cases against each other fairly: each is first run for `warmupMs` (so the JIT has
 * compiled the adapter, the sandbox and the client alike), then the cases take turns in `rounds`
 * blocks of `budgetMs / rounds` each. Blocks keep each case's garbage collection its own; taking
 * turns keeps slow drift of the machine from favouring whichever case ran last.
 */
export async function measureInTurns(
  cases: readonly (readonly [label: string, once: () => Promise<void>])[],
  o: { warmupMs: number; budgetMs: number; rounds: number; minRuns?: number },
): Promise<Map<string, Sample>> {
  for (const [, once] of cases) {
    const start = performance.now();
    do await once();
    while (performance.now() - start < o.warmupMs);
  }
  const out = new Map<string, Sample>(cases.map(([label]) => [label, { label, ms: [], seconds: 0 }]));
  for (let r = 0; r < o.rounds; r++) {
    for (const [label, once] of cases) {
      const block = await measure(label, once, { budgetMs: o.budgetMs / o.rounds, warmup: 0, minRuns: Math.ceil((o.minRuns ?? 5) / o.rounds) });
      const acc = out.get(label)!;
      acc.ms.push(...block.ms);
      acc.seconds += block.seconds;
    }
  }
  return out;
}

/**
 * Measures cases against each other call by call: every round runs each case once, the order
 * reversed every other round, until `budgetMs` has passed (the first `warmupRounds` rounds are not
 * recorded). Finer than measureInTurns when many cases must see the same machine at the same time.
 */
export async function measureCallByCall(
  cases: readonly (readonly [label: string, once: () => Promise<void>])[],
  o: { warmupRounds: number; budgetMs: number },
): Promise<{ samples: Map<string, Sample>; rounds: number }> {
  const samples = new Map<string, Sample>(cases.map(([label]) => [label, { label, ms: [], seconds: 0 }]));
  const start = performance.now();
  let round = 0;
  for (; round < o.warmupRounds || performance.now() - start < o.budgetMs; round++) {
    for (const [label, once] of round % 2 ? [...cases].reverse() : cases) {
      const t = performance.now();
      await once();
      if (round < o.warmupRounds) continue;
      const ms = performance.now() - t;
      const acc = samples.get(label)!;
      acc.ms.push(ms);
      acc.seconds += ms / 1000;
    }
  }
  return { samples, rounds: round - o.warmupRounds };
}
