#!/usr/bin/env node
// Prints the `N passed, M failed` line CI counts, from Jest's JSON results.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/jest.json';
try {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed`);
} catch {
  console.log('0 passed, 1 failed');
}
