import { describe, expect, it } from 'vitest';
import { parseProcMount } from '../../src/parse/proc-mount.js';

// Lines as /proc/self/mountinfo prints them (the first two from this VM, the others as
// fs/proc/root.c proc_show_options() prints hidepid= and gid=: a name since v5.8, a number before).
const MOUNTINFO = [
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '66 46 0:40 / /tmp/t\\040x/proc rw,relatime - proc proc rw,hidepid=invisible',
  '67 46 0:41 / /srv/a/proc rw,relatime - proc proc rw,gid=27,hidepid=noaccess',
  '68 46 0:42 / /srv/b/proc rw,relatime - proc proc rw,hidepid=2',
  '69 46 0:43 / /srv/c/proc rw,relatime - proc proc rw,hidepid=ptraceable',
  '70 46 0:44 / /srv/c/proc rw,relatime - proc proc rw',
  '71 27 0:45 / /srv/d/proc rw - tmpfs tmpfs rw',
].join('\n');

describe('parseProcMount', () => {
  it.each([
    ['/proc', { hidepid: 'off', gid: undefined }],
    ['/tmp/t x/proc', { hidepid: 'invisible', gid: undefined }],
    ['/srv/a/proc', { hidepid: 'noaccess', gid: 27 }],
    ['/srv/b/proc', { hidepid: 'invisible', gid: undefined }],
    ['/srv/c/proc', { hidepid: 'off', gid: undefined }], // the later mount hides the earlier
  ])('%s', (at, want) => {
    expect(parseProcMount(MOUNTINFO, at)).toEqual({ mountPoint: at, ...want });
  });

  it('no proc mounted there (a tmpfs, or nothing): undefined', () => {
    expect(parseProcMount(MOUNTINFO, '/srv/d/proc')).toBeUndefined();
    expect(parseProcMount(MOUNTINFO, '/nowhere')).toBeUndefined();
  });
});
