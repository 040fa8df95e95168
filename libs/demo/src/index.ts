export { defaultServices, demoServices, DEMO_CPU_LANES } from './demo-stack';
export { runDemoWorkload, demoFindings, PRIMES_BELOW_A_MILLION, type DemoOptions } from './demo-workload';
export { summarize, formatSummary, type SummaryRow } from './demo-summary';
export { runStack } from './run-stack';
