// Start-up time and memory of the real server on the embedded defaults:
//   npm run build && node scripts/run-ts.js bench/startup.ts [restarts=5]
// First start runs initdb on an empty DATA_DIR; each restart reopens the same folder.
// The figure is the server's own "listening … ms after launch" line (process uptime when
// the port is open), so it includes Node's start, module loading, PGlite and Nest.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENTRY = join(__dirname, '..', 'dist', 'src', 'main.js');

interface Run {
  launchMs: number;
  peakRssMb: number;
}

function startOnce(dataDir: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        NODE_ENV: 'development',
        DATABASE_URL: '',
        REDIS_URL: '',
      },
    });
    let output = '';
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "listening" line within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on \S+ (\d+) ms after launch/.exec(output);
      if (!match) return;
      child.stdout.off('data', onData);
      // Peak resident memory so far, from the kernel (VmHWM), before shutting down.
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      child.once('exit', () => {
        clearTimeout(deadline);
        resolve({ launchMs: Number(match[1]), peakRssMb: Math.round(peakKb / 1024) });
      });
      child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  });
}

async function main(): Promise<void> {
  if (!existsSync(ENTRY)) throw new Error('build first: npm run build');
  const restarts = Number(process.argv[2] ?? 5);
  const dataDir = mkdtempSync(join(tmpdir(), 'loremaster-startup-'));
  try {
    const first = await startOnce(dataDir);
    const again: Run[] = [];
    for (let i = 0; i < restarts; i++) again.push(await startOnce(dataDir));
    const sorted = again.map((r) => r.launchMs).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `first start (initdb + migrations): ${first.launchMs} ms, peak RSS ${first.peakRssMb} MB`,
    );
    console.log(
      `restarts on the same folder: ${sorted.join(', ')} ms (median ${median} ms), peak RSS ${again.map((r) => r.peakRssMb).join(', ')} MB`,
    );
    console.log(
      `target: restart under 2000 ms -> ${median < 2000 ? 'met' : 'NOT met'} (ratio ${(median / 2000).toFixed(2)})`,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
