# Runs a command on a pseudo-terminal and answers the first "[y/N]" question with argv[1].
# Used by CLI tests of what only happens on a terminal (the confirmation prompt, fitting a table
# to its width). PTY_COLS=N gives the terminal N columns (by default it reports no size).
import fcntl, os, pty, select, struct, sys, termios
answer = sys.argv[1].encode()
args = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    if os.environ.get('PTY_COLS'):
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 40, int(os.environ['PTY_COLS']), 0, 0))
    os.environ['NO_COLOR'] = '1'
    os.execvp(args[0], args)
out = b''
sent = False
while True:
    try:
        r, _, _ = select.select([fd], [], [], 10)
    except Exception:
        break
    if not r:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if not sent and b'[y/N]' in out:
        os.write(fd, answer + b'\r')
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(status))
