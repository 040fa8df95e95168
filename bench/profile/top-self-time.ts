/**
 * Prints where a profile's time (or allocations) went: by stage of a job's path, by package, the top
 * functions by self time, and chosen functions inclusively.
 *
 *   node dist/bench/profile/top-self-time.js <file.cpuprofile|file.heapprofile> [--jobs N] [--top N]
 *     [--inclusive name,name] [--callers name,name]
 *
 * `--jobs` adds µs (or bytes) per job; `--callers` lists the heaviest call paths into those functions. Reads any V8 profile: `node --cpu-prof`'s, Chrome's, or the
 * ones `npm run bench:profile` writes.
 */
import { parseArgs } from 'node:util';
import { formatProfileFile } from './profile-report';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    jobs: { type: 'string' },
    top: { type: 'string' },
    inclusive: { type: 'string' },
    callers: { type: 'string' },
  },
});
if (positionals.length === 0) {
  console.error(
    'usage: top-self-time <file.cpuprofile|file.heapprofile>… [--jobs N] [--top N] [--inclusive a,b] [--callers a,b]',
  );
  process.exit(64);
}
for (const file of positionals) {
  console.log(`\n## ${file}\n`);
  console.log(
    formatProfileFile(file, {
      jobs: values.jobs ? Number(values.jobs) : undefined,
      top: values.top ? Number(values.top) : undefined,
      inclusive: values.inclusive?.split(','),
      callers: values.callers?.split(','),
    }),
  );
}
