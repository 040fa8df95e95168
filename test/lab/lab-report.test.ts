import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applySpeedups,
  buildComparisonTable,
  buildReportParts,
  deriveConclusions,
  parseLabArgs,
  LabUsageError,
  percentile,
  percentiles,
  renderHtmlReport,
  renderMarkdownReport,
  spread,
} from '@switchyard/lab';
import { cpuSeries, fakeResults, ioSeries, misroutingPair } from './lab-fixtures';

const findings = (results: ReturnType<typeof fakeResults>, profile: string) =>
  deriveConclusions(results)
    .filter((conclusion) => conclusion.profile === profile)
    .flatMap((conclusion) => conclusion.findings)
    .join('\n');

describe('lab statistics', () => {
  test('percentiles are nearest-rank and ordered p50 ≤ p95 ≤ p99', () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile([], 99), 0);
    const skewed = [5, 1, 1000, 7, 3, 3, 9, 250, 2, 4];
    const { p50, p95, p99 } = percentiles(skewed);
    assert.ok(p50 <= p95 && p95 <= p99, `${p50} ≤ ${p95} ≤ ${p99}`);
    assert.equal(p99, 1000);
  });

  test("spread gives the median, the min–max of repeats and the median's interval", () => {
    assert.deepEqual(spread([3, 1, 2]), {
      median: 2,
      min: 1,
      max: 3,
      interval: { low: 1, high: 3, confidence: 0.75 },
    });
    assert.deepEqual(spread([4, 1, 2, 3]), {
      median: 2.5,
      min: 1,
      max: 4,
      interval: { low: 1, high: 4, confidence: 0.875 },
    });
  });

  test('speedup and parallel efficiency are against the 1-worker cell of the same series', () => {
    const cells = applySpeedups([
      ...cpuSeries('worker-threads', [20, 38, 39]),
      ...cpuSeries('inline', [20, 20]),
    ]);
    const byId = new Map(cells.map((cell) => [cell.id, cell]));
    assert.equal(byId.get('cpu/worker-threads/p1/r1')?.speedup, 1);
    assert.equal(byId.get('cpu/worker-threads/p2/r1')?.speedup, 1.9);
    assert.equal(byId.get('cpu/worker-threads/p2/r1')?.efficiency, 0.95);
    assert.equal(byId.get('cpu/worker-threads/p3/r1')?.efficiency, 39 / 20 / 3);
    assert.equal(
      byId.get('cpu/inline/p2/r1')?.speedup,
      1,
      'inline is compared with inline, not with threads',
    );
    const [lonely] = applySpeedups(misroutingPair(5, 5, 30, 30).slice(0, 1));
    assert.equal(lonely.speedup, undefined, 'a series of one cell has no baseline');
  });
});

describe('lab conclusions follow the numbers', () => {
  test('CPU: threads that scale and threads that do not read differently', () => {
    const scaling = fakeResults([
      ...cpuSeries('inline', [20, 20.5]),
      ...cpuSeries('worker-threads', [20, 38]),
    ]);
    const flat = fakeResults([...cpuSeries('inline', [20, 20.5]), ...cpuSeries('worker-threads', [20, 21])]);
    assert.match(
      findings(scaling, 'cpu'),
      /\*\*worker-threads\*\* scaled: 20\.0 jobs\/s with 1 → 38\.0 jobs\/s with 2 \(1\.90×, efficiency 95 %\)/,
    );
    assert.match(findings(scaling, 'cpu'), /\*\*inline\*\* stayed flat/);
    assert.match(findings(scaling, 'cpu'), /Best for CPU-bound work here: \*\*worker-threads\*\*/);
    assert.match(findings(scaling, 'cpu'), /ran CPU work in parallel/);
    assert.match(findings(flat, 'cpu'), /\*\*worker-threads\*\* stayed flat/);
    assert.doesNotMatch(findings(flat, 'cpu'), /ran CPU work in parallel/);
    assert.notEqual(findings(scaling, 'cpu'), findings(flat, 'cpu'));
  });

  test('CPU: a throughput gain with never more than one job running at once is not called parallel', () => {
    const overlapped = fakeResults(cpuSeries('inline', [20, 28], 35));
    assert.match(
      findings(overlapped, 'cpu'),
      /\*\*inline\*\* stayed on one core: .*\(1\.40×, from overlapping queue round trips\) with 0\.98 jobs running at once/,
    );
  });

  test('I/O: throughput that rises past the core count is called out with the measured gain', () => {
    const rising = fakeResults(
      ioSeries([
        [1, 18],
        [10, 170],
        [100, 900],
      ]),
    );
    const stuck = fakeResults(
      ioSeries([
        [1, 18],
        [10, 19],
        [100, 18.5],
      ]),
    );
    assert.match(
      findings(rising, 'io'),
      /rose 50\.00× from concurrency 1 \(18\.0 jobs\/s\) to 100 \(900 jobs\/s\), far past the 2 cores/,
    );
    assert.match(findings(stuck, 'io'), /did not gain distinguishably from more concurrency/);
  });

  test('misrouting: event-loop delay that rises is reported, one that holds is not', () => {
    const degraded = fakeResults(misroutingPair(5, 300, 40, 600));
    const calm = fakeResults(misroutingPair(5, 5.2, 40, 41));
    assert.match(
      findings(degraded, 'misrouting'),
      /raised the io-consumer's event-loop delay p99 from 5\.0 ms to 300 ms/,
    );
    assert.match(findings(degraded, 'misrouting'), /io\.sleep p99 40\.0 ms → 600 ms/);
    assert.match(findings(calm, 'misrouting'), /did not raise event-loop delay distinguishably/);
  });
});

describe('lab report', () => {
  const results = fakeResults([
    ...cpuSeries('inline', [20, 20.5, 20]),
    ...cpuSeries('worker-threads', [20, 38, 37]),
    ...cpuSeries('processes', [19, 36, 35]),
    ...ioSeries([
      [1, 18],
      [10, 170],
      [100, 900],
    ]),
    ...misroutingPair(5, 300, 40, 600),
  ]);

  test('the comparison table has the classic rows, one column per model, with measured numbers', () => {
    const table = buildComparisonTable(results);
    assert.deepEqual(
      table.map((row) => row.aspect),
      ['Execution', 'Context switching', 'CPU-bound', 'I/O-bound', 'Scalability', 'Complexity & memory'],
    );
    for (const row of table) assert.equal(row.cells.length, 4);
    const cpu = table.find((row) => row.aspect === 'CPU-bound');
    assert.match(cpu?.cells[1] ?? '', /1\.90× with 2 vs 1/);
    assert.match(cpu?.cells[0] ?? '', /inline: 1\.02×/);
  });

  test('report.html is self-contained: inline SVG charts, no script, no external URL', () => {
    const html = renderHtmlReport(buildReportParts(results));
    assert.ok((html.match(/<svg /g) ?? []).length >= 4, 'cpu, io, latency and misrouting charts');
    assert.match(html, /ideal linear/);
    assert.doesNotMatch(html, /<script|<link |src="http|href="http/);
    assert.match(html, /<strong>worker-threads<\/strong> scaled/);
  });

  test('report.md carries the conclusions, the comparison table and every cell', () => {
    const markdown = renderMarkdownReport(buildReportParts(results));
    assert.match(markdown, /\|\s+\| Event loop \| Worker threads \| Processes \| Pods \(replicas\) \|/);
    for (const cell of results.cells) assert.ok(markdown.includes(`| ${cell.id} |`), cell.id);
    assert.match(markdown, /!\[CPU-bound: throughput vs workers\]\(charts\/cpu-throughput\.svg\)/);
  });

  test('trace ids become Jaeger links only when JAEGER_UI_URL is known', () => {
    const traced = fakeResults(
      results.cells.map((cell) => ({ ...cell, traceIds: ['4bf92f3577b34da6a3ce929d0e0e4736'] })),
    );
    assert.doesNotMatch(renderHtmlReport(buildReportParts(traced)), /\/trace\//);
    const linked = renderHtmlReport(
      buildReportParts({ ...traced, jaegerUiUrl: 'http://jaeger.local:16686/' }),
    );
    assert.match(linked, /href="http:\/\/jaeger\.local:16686\/trace\/4bf92f3577b34da6a3ce929d0e0e4736"/);
  });
});

describe('switchyard lab arguments', () => {
  const now = new Date('2025-03-04T05:06:07.890Z');

  test('defaults: 3 to 10 repeats (3 with --quick), a timestamped reports folder, local mode', () => {
    const parsed = parseLabArgs([], now);
    assert.equal(parsed.help, false);
    if (parsed.help) return;
    assert.equal(parsed.options.repeat, 3);
    assert.equal(parsed.options.maxRepeat, 10);
    assert.equal(parsed.options.out, 'reports/2025-03-04T05-06-07Z');
    assert.equal(parsed.options.kube, false);
    const quick = parseLabArgs(['--quick'], now);
    assert.deepEqual(!quick.help && [quick.options.repeat, quick.options.maxRepeat], [3, 3]);
    const raised = parseLabArgs(['--quick', '--repeat', '5'], now);
    assert.deepEqual(!raised.help && [raised.options.repeat, raised.options.maxRepeat], [5, 5]);
  });

  test('kube flags are taken together', () => {
    const parsed = parseLabArgs(
      [
        '--kube',
        '--namespace',
        'demo',
        '--context',
        'kind',
        '--api-url',
        'http://sy-api:3000',
        '--only',
        'horizontal,misrouting',
      ],
      now,
    );
    assert.ok(!parsed.help);
    assert.deepEqual(
      !parsed.help && [
        parsed.options.namespace,
        parsed.options.context,
        parsed.options.apiUrl,
        parsed.options.only,
      ],
      ['demo', 'kind', 'http://sy-api:3000', ['horizontal', 'misrouting']],
    );
  });

  test('bad flags are refused with a message that names them', () => {
    const cases: [string[], RegExp][] = [
      [['--bogus'], /Unknown option '--bogus'/],
      [['--repeat', 'three'], /--repeat must be a whole number/],
      [['--max-repeat', '0'], /--max-repeat must be a whole number/],
      [['--repeat', '6', '--max-repeat', '4'], /--max-repeat \(4\) is below --repeat \(6\)/],
      [['--only', 'gpu'], /--only takes experiments from io, cpu, misrouting, horizontal/],
      [['--kube'], /--kube needs --api-url/],
      [['--namespace', 'x'], /--namespace only apply with --kube/],
      [['--kube', '--api-url', 'ftp://x'], /--api-url must be an http\(s\) URL/],
    ];
    for (const [argv, message] of cases) {
      assert.throws(
        () => parseLabArgs(argv, now),
        (error: unknown) => error instanceof LabUsageError && message.test(error.message),
        argv.join(' '),
      );
    }
  });
});
