/**
 * zeromq.js refuses a second send on a socket while the first is still in
 * flight ("Socket is busy writing", EBUSY, thrown where the send is made),
 * and tslab sends without waiting: a status message, a reply and display
 * data can meet on one socket in one turn of the event loop, most often
 * after a long synchronous computation in a cell, and the kernel dies.
 * `serialiseSends` makes each socket's sends wait for each other, in order;
 * a send that fails is reported on stderr instead of taking the kernel down.
 *
 * zeromq.js's sockets are not extensible, so the method is replaced where it
 * is defined (on the prototype, for every socket of that class), with the
 * queue kept per socket.
 */
'use strict';

const patched = new WeakSet();
const pending = new WeakMap();

function ownerOf(object, key) {
  for (let o = object; o != null; o = Object.getPrototypeOf(o)) {
    if (Object.prototype.hasOwnProperty.call(o, key)) return o;
  }
  throw new Error(`serialiseSends: the socket has no ${key}()`);
}

function serialiseSends(socket, name = 'socket') {
  const owner = ownerOf(socket, 'send');
  if (!patched.has(owner)) {
    const send = owner.send;
    Object.defineProperty(owner, 'send', {
      configurable: true, enumerable: false, writable: false,
      value: function serialisedSend(message) {
        const next = (pending.get(this) || Promise.resolve()).then(() => send.call(this, message)).catch(error => {
          process.stderr.write(`tslab kernel: a message on a socket was not sent: ${error && error.message}\n`);
        });
        pending.set(this, next);
        return next;
      },
    });
    patched.add(owner);
  }
  return socket;
}

module.exports = {serialiseSends};
