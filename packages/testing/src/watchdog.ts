import { type ChildProcess, spawn } from 'node:child_process';

// Runs as `node -e WATCHDOG_SOURCE <child pid> <grace ms> [dir to remove]`.
// It polls: when the child is gone it exits; when its own parent (the Node
// process that started the child) is gone, it SIGTERMs the child's process
// group, SIGKILLs it after the grace period and removes the child's directory.
// A reparented watchdog (ppid changed) means the parent died even if its pid
// still answers as a zombie.
const WATCHDOG_SOURCE = `
const { rmSync } = require('node:fs');
const [child, grace, dir] = [Number(process.argv[1]), Number(process.argv[2]), process.argv[3]];
const parent = process.ppid;
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const kill = (sig) => { try { process.kill(-child, sig); } catch { try { process.kill(child, sig); } catch {} } };
const finish = () => { if (dir) { try { rmSync(dir, { recursive: true, force: true }); } catch {} } process.exit(0); };
let killing = false;
setInterval(() => {
  if (!alive(child)) { if (killing) finish(); else process.exit(0); }
  if (killing) return;
  if (process.ppid !== parent || !alive(parent)) {
    killing = true;
    kill('SIGTERM');
    setTimeout(() => { kill('SIGKILL'); setTimeout(finish, 500); }, grace).unref();
  }
}, 250);
`;

/** Options of {@link spawnWatchdog}. */
export interface WatchdogOptions {
  /** Milliseconds between SIGTERM and SIGKILL once the parent is gone. */
  graceMs: number;
  /** A directory to remove after the child is dead (its tmp dir), if any. */
  removeDir?: string;
}

/**
 * Starts a tiny detached Node process that kills `childPid` (and its process
 * group) if this process dies without stopping it, even by SIGKILL. It exits
 * by itself within a poll interval once the child has exited.
 */
export function spawnWatchdog(childPid: number, options: WatchdogOptions): ChildProcess {
  const args = ['-e', WATCHDOG_SOURCE, String(childPid), String(options.graceMs)];
  if (options.removeDir !== undefined) args.push(options.removeDir);
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const watchdog = spawn(process.execPath, args, { detached: true, stdio: 'ignore', env });
  watchdog.on('error', () => {
    // without a watchdog the exit handlers still clean up in most cases
  });
  watchdog.unref();
  return watchdog;
}
