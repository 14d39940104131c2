/**
 * zeromq.js refuses a second send on a socket while the first is still in
 * flight ("Socket is busy writing", EBUSY, thrown where the send is made),
 * and tslab sends without waiting: a status message, a reply and display
 * data can meet on one socket in one turn of the event loop, most often
 * after a long synchronous computation in a cell, and the kernel dies.
 * `serialiseSends` makes a socket's sends wait for each other, in order; a
 * send that fails is reported on stderr instead of taking the kernel down.
 */
'use strict';

function serialiseSends(socket, name = 'socket') {
  if (socket.labSerialised) return socket;
  const send = socket.send.bind(socket);
  let pending = Promise.resolve();
  socket.send = message => {
    pending = pending.then(() => send(message)).catch(error => {
      process.stderr.write(`tslab kernel: a message on the ${name} socket was not sent: ${error && error.message}\n`);
    });
    return pending;
  };
  socket.labSerialised = true;
  return socket;
}

module.exports = {serialiseSends};
