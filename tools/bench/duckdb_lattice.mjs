// The peer of the throughput bench: DuckDB building the same 27-level lattice omnia keeps, from
// the same two raw-event CSVs, in one run: month / quarter / year x region / macro-area / Italy x
// type / family / all, with the exact number of distinct workers (worker ids upper-cased, as
// omnia pseudonymises them), the sum of months covered and the count of applications. Exact
// duplicate rows are dropped first, as omnia's ingestion drops a payment id it already holds.
//
// Usage: node duckdb_lattice.mjs APPLICATIONS_CSV PAYMENTS_CSV REGIONS_CSV TYPES_CSV [THREADS]
//   REGIONS_CSV: region,macro_area   TYPES_CSV: intervention_type,family (omnia-apply-bench
//   --codelists_dir writes both from omnia's codelists)
// Needs @duckdb/node-api on NODE_PATH. Prints one JSON line: the seconds from the first byte read
// to the whole lattice built, and the number of lattice cells.
import { createRequire } from 'node:module';
const require = createRequire(process.env.NODE_PATH ? process.env.NODE_PATH + '/' : import.meta.url);
const { DuckDBInstance } = require('@duckdb/node-api');

const [applications, payments, regions, types, threads = '2'] = process.argv.slice(2);
if (!types) {
  console.error('usage: duckdb_lattice.mjs APPLICATIONS_CSV PAYMENTS_CSV REGIONS_CSV TYPES_CSV [THREADS]');
  process.exit(2);
}
const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const c = await db.connect();

// The 27 grouping sets: one per (period level, region level, type level).
const periods = [['y', 'm'], ['y', 'q'], ['y']];
const places = [['region'], ['macro_area'], []];
const kinds = [['intervention_type'], ['family'], []];
const sets = [];
for (const p of periods) for (const r of places) for (const k of kinds) sets.push(`(${[...p, ...r, ...k].join(', ')})`);
const lattice = (measures, source, date) => `
  SELECT year(${date}) y, quarter(${date}) q, month(${date}) m, s.region, r.macro_area,
         s.intervention_type, t.family, ${measures}
  FROM ${source} s JOIN regions r USING (region) JOIN types t USING (intervention_type)
  GROUP BY GROUPING SETS (${sets.join(', ')})`;

const t0 = performance.now();
await c.run(`CREATE TABLE regions AS SELECT * FROM read_csv('${regions}', header = true)`);
await c.run(`CREATE TABLE types AS SELECT * FROM read_csv('${types}', header = true)`);
await c.run(`CREATE TABLE p AS SELECT DISTINCT * FROM read_csv('${payments}', header = true,
  columns = {'payment_id': 'VARCHAR', 'worker_id': 'VARCHAR', 'paid_on': 'DATE', 'region': 'VARCHAR',
             'intervention_type': 'VARCHAR', 'months_covered': 'INTEGER'})`);
await c.run(`CREATE TABLE a AS SELECT DISTINCT * FROM read_csv('${applications}', header = true,
  columns = {'application_id': 'VARCHAR', 'authorized_on': 'DATE', 'region': 'VARCHAR',
             'intervention_type': 'VARCHAR'})`);
await c.run(`CREATE TABLE payment_lattice AS ${lattice(
  'count(DISTINCT upper(worker_id)) workers, sum(months_covered) benefit_months', 'p', 'paid_on')}`);
await c.run(`CREATE TABLE application_lattice AS ${lattice('count(*) applications', 'a', 'authorized_on')}`);
const seconds = (performance.now() - t0) / 1000;
const cells = (await c.runAndReadAll(
  'SELECT (SELECT count(*) FROM payment_lattice) + (SELECT count(*) FROM application_lattice)')).getRows()[0][0];
const events = (await c.runAndReadAll(
  'SELECT (SELECT count(*) FROM p) + (SELECT count(*) FROM a)')).getRows()[0][0];
console.log(JSON.stringify({ step: 'duckdb_lattice', threads: Number(threads), events: Number(events),
  cells: Number(cells), seconds: +seconds.toFixed(3) }));
