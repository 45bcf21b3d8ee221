// Where a server's CPU time went: reads the .cpuprofile files `node --cpu-prof` wrote and sums
// self time by package (node_modules/<pkg>, our src/, Node internals, GC) and by function.
//   node scripts/run-ts.js bench/lib/profile.ts <dir-or-file.cpuprofile> [top=25]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { isMain, printTable } from './harness';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function owner(url: string): string {
  if (url === '') return '(native/vm)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const src = url.indexOf('/src/');
  if (src >= 0)
    return `src/${url
      .slice(src + 5)
      .split('/')
      .slice(0, 2)
      .join('/')}`;
  if (url.includes('/bench/')) return 'bench';
  return url;
}

export function summariseProfiles(target: string, top = 25): void {
  const files = statSync(target).isDirectory()
    ? readdirSync(target)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => path.join(target, f))
    : [target];
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const label = (n: ProfileNode) => {
      const { functionName, url, lineNumber } = n.callFrame;
      const who = functionName.startsWith('(') ? functionName : owner(url);
      return `${functionName || '(anonymous)'} ${who}${url ? `:${lineNumber + 1}` : ''}`;
    };
    for (let i = 0; i < profile.samples.length; i++) {
      const node = nodes.get(profile.samples[i])!;
      const us = profile.timeDeltas[i] ?? 0;
      const { functionName, url } = node.callFrame;
      if (functionName === '(idle)') continue;
      total += us;
      const who = functionName.startsWith('(') ? functionName : owner(url);
      byOwner.set(who, (byOwner.get(who) ?? 0) + us);
      const fn = label(node);
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
      // Inclusive time: every distinct frame on the sampled stack, counted once.
      const onStack = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id))
        onStack.add(label(nodes.get(id)!));
      for (const f of onStack) inclusive.set(f, (inclusive.get(f) ?? 0) + us);
    }
  }
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => [k, `${(v / 1000).toFixed(0)}`, `${((v / total) * 100).toFixed(1)}%`]);
  console.log(`  busy CPU time sampled: ${(total / 1e6).toFixed(1)} s (idle excluded)`);
  printTable(['self time by package', 'ms', 'share'], rows(byOwner));
  console.log('');
  printTable(['self time by function', 'ms', 'share'], rows(byFunction));
  if (process.env.BENCH_PROFILE_INCLUSIVE) {
    console.log('');
    printTable(['inclusive time by function', 'ms', 'share'], rows(inclusive));
  }
}

if (isMain(__filename)) summariseProfiles(process.argv[2], Number(process.argv[3] ?? 25));
