// Prints a bench/results/<date>.json written by bench/run.ts as the Markdown tables of the README.
// Run: npx tsx bench/report.ts bench/results/2026-11-28.json
import { readFileSync } from 'node:fs';
import { formatResults, type BenchResults } from './lib/results.js';

const file = process.argv[2];
if (!file) throw new Error('usage: npx tsx bench/report.ts bench/results/<date>.json');
console.log(formatResults(JSON.parse(readFileSync(file, 'utf8')) as BenchResults));
