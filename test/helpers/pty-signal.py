# Runs a command on a pseudo-terminal, waits for its first full screen ("q quit" on the status
# line), sends it a signal, and reports as JSON how it ended and whether the terminal was given
# back: the alternate screen left and the cursor shown after the last entry, and the line
# discipline cooked again (ICANON and ECHO, as before the command started).
# SIGTSTP: also reports the terminal while the command is stopped ("stopped") and after SIGCONT
# ("continued"), then ends it with SIGTERM.
# Usage: pty-signal.py SIGNAL CMD ARGS...
import fcntl, json, os, pty, select, signal, struct, sys, termios, time
sig = getattr(signal, sys.argv[1])
args = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
    os.environ['NO_COLOR'] = '1'
    os.execvp(args[0], args)
before = termios.tcgetattr(fd)[3]
out = b''


def read_some(timeout):
    """Appends what the terminal has within `timeout` s; False when nothing came or it closed."""
    global out
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return False
    try:
        data = os.read(fd, 65536)
    except OSError:
        return False
    out += data
    return bool(data)


cooked = lambda l: bool(l & termios.ICANON) and bool(l & termios.ECHO)
alternate = lambda: out.rfind(b'\x1b[?1049h') > out.rfind(b'\x1b[?1049l')
extra = {}


def suspend_and_continue():
    """SIGTSTP was sent: wait for the stop, look, SIGCONT, look again, then SIGTERM."""
    end = time.time() + 10
    while time.time() < end:
        done, st = os.waitpid(pid, os.WUNTRACED | os.WNOHANG)
        if done and os.WIFSTOPPED(st):
            break
        read_some(0.1)
    while read_some(0.2):
        pass
    extra['stopped'] = {'stopped': bool(done and os.WIFSTOPPED(st)), 'cooked': cooked(termios.tcgetattr(fd)[3]), 'alternate': alternate()}
    mark = len(out)
    os.kill(pid, signal.SIGCONT)
    end = time.time() + 5
    while time.time() < end and b'q quit' not in out[mark:]:
        read_some(0.2)
    extra['continued'] = {'cooked': cooked(termios.tcgetattr(fd)[3]), 'alternate': alternate(), 'redrawn': b'q quit' in out[mark:]}
    os.kill(pid, signal.SIGTERM)


sent = False
reaped = False
status = 0
deadline = time.time() + 20
while time.time() < deadline:
    read_some(0.2)
    if not sent and b'q quit' in out:
        os.kill(pid, sig)
        sent = True
        if sig == signal.SIGTSTP:
            suspend_and_continue()
        deadline = time.time() + 10
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        reaped, status = True, st
        break
else:
    os.kill(pid, signal.SIGKILL)
if not reaped:
    _, status = os.waitpid(pid, 0)
try:
    after = termios.tcgetattr(fd)[3]
except termios.error:
    after = None
# drain what is left
while read_some(0.2):
    pass
enter = out.rfind(b'\x1b[?1049h')
leave = out.rfind(b'\x1b[?1049l')
shown = out.rfind(b'\x1b[?25h')
print(json.dumps({
    **extra,
    'sent': sent,
    'signal': signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status) else None,
    'code': os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
    'screen_left': enter >= 0 and leave > enter,
    'cursor_shown': enter >= 0 and shown > enter,
    'cooked_before': cooked(before),
    'cooked_after': None if after is None else cooked(after),
    'tail': out[-300:].decode(errors='replace'),
}))
