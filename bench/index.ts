/**
 * `npm run bench -- <name> [args]`: runs one benchmark. Add a benchmark by adding an entry below; each
 * module exports `run(args): Promise<number>` (the exit status) and is loaded only when chosen.
 */
interface BenchEntry {
  readonly summary: string;
  readonly load: () => Promise<{ run(args: string[]): Promise<number> }>;
}

const BENCHES: Readonly<Record<string, BenchEntry>> = {
  masks: {
    summary: 'tissue masks of 8 generated 20k x 20k pyramidal slides: ms per slide, pool scaling, mask bytes',
    load: () => import('./masks.js'),
  },
  read: {
    summary: '256 px region reads: patches/s with 1 and N in flight, and our binding vs a C loop',
    load: () => import('./read.js'),
  },
  sampler: {
    summary: 'whole patch sampler: patches/s (1 worker, all cores; augment 0 and 1), time to first batch',
    load: () => import('./sampler.js'),
  },
  soak: {
    summary: 'sampler soak: 200k patches with RSS sampled (--patches N), must stay flat',
    load: () => import('./soak.js'),
  },
  train: {
    summary:
      'training fed by the sampler: step time, images/s, data-wait share; with --backend webgpu: our ' +
      'kernels vs stock TF.js (s, dispatches, submits, uploads per iteration; add --sampler for data-wait)',
    load: async () => {
      const sampled = await import('./train.js');
      return {
        run: async (args: string[]) => {
          // Issue 8's command: on webgpu the question is our kernels against stock, measured side by side.
          const i = args.indexOf('--backend');
          const webgpu = i >= 0 && args[i + 1] === 'webgpu';
          if (webgpu && !args.includes('--sampler')) return (await import('./train-webgpu.js')).run(args);
          return sampled.run(args.filter((a) => a !== '--sampler'));
        },
      };
    },
  },
  translate: {
    summary:
      'whole-slide translation: output MP/s per backend and generator size, peak RSS on a 40k x 40k slide',
    load: () => import('./translate.js'),
  },
  augment: {
    summary: 'ms per 256 px patch for resize and each augmentation, ours vs sharp',
    load: async () => {
      const { runAugmentBench } = await import('./augment.js');
      return {
        run: async (args: string[]) => {
          const reps = args[0] === undefined ? undefined : Number(args[0]);
          console.log(JSON.stringify(await runAugmentBench(reps === undefined ? {} : { reps }), null, 2));
          return 0;
        },
      };
    },
  },
};

function listing(): string {
  const rows = Object.entries(BENCHES).map(([name, b]) => `  ${name.padEnd(12)} ${b.summary}`);
  return `Usage: npm run bench -- <name> [options]\n\nBenchmarks:\n${rows.join('\n')}\n`;
}

const [name, ...args] = process.argv.slice(2);
const entry = name === undefined ? undefined : BENCHES[name];
if (entry === undefined) {
  if (name !== undefined && name !== '--help' && name !== '-h')
    process.stderr.write(`unknown benchmark '${name}'\n\n`);
  process.stderr.write(listing());
  process.exitCode = name === '--help' || name === '-h' ? 0 : 2;
} else {
  process.exitCode = await (await entry.load()).run(args);
}
