/**
 * The kernel's sockets send one message at a time (jupyter/serialise-sends.cjs):
 * zeromq.js throws EBUSY on a send made while another is in flight, which
 * killed the kernel in the middle of a chapter.
 */
import {strict as assert} from 'node:assert';

const {serialiseSends} = require('../../jupyter/serialise-sends.cjs') as
    {serialiseSends<S extends {send(m: string): Promise<void>}>(socket: S, name?: string): S};

/** A socket that behaves as zeromq.js's does: a send while one is in flight throws "Socket is busy writing". */
function busySocket() {
  const sent: string[] = [];
  let inFlight = false;
  return {
    sent,
    send(message: string): Promise<void> {
      if (inFlight) throw Object.assign(new Error('Socket is busy writing; only one send operation may be in progress at any time'), {code: 'EBUSY'});
      inFlight = true;
      return new Promise(resolve => setTimeout(() => { inFlight = false; sent.push(message); resolve(); }, 5));
    },
  };
}

describe('the kernel\'s sockets', () => {
  it('as zeromq.js does, a bare socket throws on a second send in flight', () => {
    const socket = busySocket();
    void socket.send('status: idle');
    assert.throws(() => socket.send('status: busy'), /Socket is busy writing/);
  });

  it('serialised, sends made in one turn all go out, in order', async () => {
    const socket = serialiseSends(busySocket(), 'iopub');
    const done = ['status: idle', 'status: busy', 'display_data', 'execute_reply'].map(m => socket.send(m));
    await Promise.all(done);
    assert.deepEqual(socket.sent, ['status: idle', 'status: busy', 'display_data', 'execute_reply']);
  });

  it('a send that fails is reported and does not stop the ones after it', async () => {
    let calls = 0;
    const socket = serialiseSends({sent: [] as string[], send(m: string) {
      calls++;
      if (m === 'bad') return Promise.reject(new Error('host unreachable'));
      this.sent.push(m);
      return Promise.resolve();
    }}, 'shell');
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((text: string) => { errors.push(String(text)); return true; }) as typeof process.stderr.write;
    try {
      await Promise.all(['a', 'bad', 'c'].map(m => socket.send(m)));
    } finally {
      process.stderr.write = write;
    }
    assert.equal(calls, 3);
    assert.deepEqual(socket.sent, ['a', 'c']);
    assert.match(errors.join(''), /a message on a socket was not sent: host unreachable/);
  });
});
