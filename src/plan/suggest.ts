// "Did you mean …?": the nearest valid word to a misspelled one (optimal string alignment distance).

/** Edits (insert, delete, substitute, swap two neighbours) needed to turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** Words people write when they mean one of ours. */
const SYNONYMS: Record<string, string> = {
  depends: 'needs',
  depends_on: 'needs',
  dependsOn: 'needs',
  dependencies: 'needs',
  after: 'needs',
  requires: 'needs',
  name: 'feature',
  id: 'feature',
  prompt: 'task',
  jobs: 'concurrency',
  parallel: 'concurrency',
  parallelism: 'concurrency',
  retry: 'retries',
  environment: 'env',
};

/** The choice nearest to `word`, when it is near enough to be a likely typo. */
export function closest(word: string, choices: readonly string[]): string | undefined {
  const synonym = SYNONYMS[word];
  if (synonym !== undefined && choices.includes(synonym)) return synonym;
  const lower = word.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const choice of choices) {
    const distance = editDistance(lower, choice.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [choice, distance];
  }
  return bestDistance <= limit ? best : undefined;
}
