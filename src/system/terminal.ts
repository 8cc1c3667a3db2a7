// The full-screen terminal for `oomctl top`: alternate screen, hidden cursor,
// raw keys, resizes. Whatever way the program ends (q, Ctrl-C, SIGTERM,
// SIGHUP, an error, a closed pipe, process.exit from anywhere), the terminal
// is given back as it was: cursor shown, main screen, cooked mode. cli.ts
// hands in the streams; this module only registers the handlers it removes
// again on close.

import type { ReadStream, WriteStream } from 'node:tty';

const ENTER = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J'; // alternate screen, hide cursor, clear
const LEAVE = '\x1b[?25h\x1b[?1049l'; // show cursor, main screen
const HOME = '\x1b[H';
const CLEAR_EOL = '\x1b[K';
const CLEAR_EOS = '\x1b[J';

/**
 * Every signal whose default action ends the process and that Node lets a
 * listener catch (signal(7)): the terminal is restored, then cli.ts dies of
 * the same signal. Not SIGUSR1 (Node's inspector), not SIGPIPE (Node ignores
 * it), not SIGBUS/SIGFPE/SIGSEGV/SIGILL (no JS may run after a real one),
 * not SIGKILL/SIGSTOP (uncatchable).
 */
export const ENDING_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGPROF',
  'SIGXCPU', 'SIGXFSZ', 'SIGPWR', 'SIGIO', 'SIGSYS', 'SIGTRAP', 'SIGABRT', 'SIGSTKFLT',
];

export interface TerminalHandlers {
  onData(data: string): void;
  onResize(): void;
  /** A signal asked us to stop (one of ENDING_SIGNALS): the terminal is already restored. */
  onSignal(signal: NodeJS.Signals): void;
  /** The keyboard went away (stdin closed). */
  onEnd(): void;
}

export interface Terminal {
  size(): { columns: number; rows: number };
  /** Replaces the screen with these lines (each already cut to the width). */
  draw(lines: readonly string[]): void;
  /** Restores the terminal; safe to call more than once. */
  close(): void;
}

export function openTerminal(input: ReadStream, output: WriteStream, h: TerminalHandlers): Terminal {
  let closed = false;
  const wasRaw = input.isRaw === true;

  const restoreSync = (): void => {
    if (closed) return;
    closed = true;
    try { if (input.isTTY) input.setRawMode(wasRaw); } catch { /* stdin gone */ }
    try {
      // Writes to a terminal are synchronous in Node: this lands before exit.
      output.write(LEAVE);
    } catch { /* closed pipe: nothing to restore on that side */ }
  };

  const onData = (buf: Buffer | string): void => h.onData(typeof buf === 'string' ? buf : buf.toString('utf8'));
  const onResize = (): void => h.onResize();
  const onEnd = (): void => h.onEnd();
  const onExit = (): void => restoreSync();
  const onSignal = (signal: NodeJS.Signals): void => {
    restoreSync();
    detach();
    h.onSignal(signal);
  };
  // raw mode turns Ctrl-C into a key; kill -INT still arrives here
  const listeners: Array<readonly [NodeJS.Signals, () => void]> = ENDING_SIGNALS.map((signal) => [signal, (): void => onSignal(signal)] as const);
  // kill -TSTP (Ctrl-Z is a key in raw mode): give the terminal back, then stop as the default
  // action would; on SIGCONT take it again and redraw.
  listeners.push(['SIGTSTP', (): void => {
    if (closed) return;
    try { if (input.isTTY) input.setRawMode(wasRaw); } catch { /* stdin gone */ }
    try { output.write(LEAVE); } catch { /* closed pipe */ }
    process.kill(process.pid, 'SIGSTOP');
  }], ['SIGCONT', (): void => {
    if (closed) return;
    try {
      output.write(ENTER);
      if (input.isTTY) input.setRawMode(true);
    } catch { /* closed: the next draw or close finds out */ }
    h.onResize();
  }]);

  function detach(): void {
    input.off('data', onData);
    input.off('end', onEnd);
    output.off('resize', onResize);
    process.off('exit', onExit);
    for (const [signal, listener] of listeners) process.off(signal, listener);
    input.pause();
  }

  process.on('exit', onExit);
  for (const [signal, listener] of listeners) process.on(signal, listener);
  output.write(ENTER);
  if (input.isTTY) input.setRawMode(true);
  input.setEncoding('utf8');
  input.on('data', onData);
  input.on('end', onEnd);
  input.resume();
  output.on('resize', onResize);

  return {
    size: () => ({ columns: output.columns || 80, rows: output.rows || 24 }),
    draw(lines) {
      if (closed) return;
      // Home, each line followed by clear-to-end-of-line, then clear the rest:
      // no full clear, so no flicker.
      output.write(HOME + lines.join(CLEAR_EOL + '\r\n') + CLEAR_EOL + CLEAR_EOS);
    },
    close() {
      if (closed) return;
      restoreSync();
      detach();
    },
  };
}
