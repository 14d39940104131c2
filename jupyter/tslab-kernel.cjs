#!/usr/bin/env node
/**
 * The lab's kernel: tslab (node_modules/tslab), started with one fix to how
 * it reports its state, so JupyterLab shows "Busy" for as long as a cell runs.
 *
 * tslab answers every shell request as it arrives, also while a cell is
 * running (a training cell yields to the event loop to send its progress),
 * and publishes 'busy' when it starts and 'idle' when it ends each one.
 * JupyterLab asks for things while a cell runs (kernel info, completions),
 * and the 'idle' that ends such a request became the kernel's state on
 * screen: a student saw "Idle" and a hollow circle during minutes of
 * training. The protocol wants that 'idle' (each request gets one), so it is
 * kept; right after it, 'busy' is published again for the execute request
 * that is still running. That second send, and tslab's own, go out one
 * after another (serialise-sends.cjs): two at once killed the kernel.
 */
'use strict';
const path = require('node:path');

const tslab = path.join(__dirname, '..', 'node_modules', 'tslab');
const {ZmqServer} = require(path.join(tslab, 'dist', 'jupyter.js'));

/** Execute requests in progress (queued ones included), oldest first. */
const running = [];
const publishStatus = ZmqServer.prototype.publishStatus;
const handleExecute = ZmqServer.prototype.handleExecute;

ZmqServer.prototype.handleExecute = async function (sock, msg) {
  running.push(msg);
  try {
    return await handleExecute.call(this, sock, msg);
  } finally {
    running.splice(running.indexOf(msg), 1);
  }
};

// Every socket's sends wait for each other (serialise-sends.cjs says why).
const {serialiseSends} = require('./serialise-sends.cjs');
const init = ZmqServer.prototype.init;
ZmqServer.prototype.init = async function (...args) {
  const done = await init.apply(this, args);
  for (const name of ['iopub', 'shell', 'control', 'stdin']) if (this[name]) serialiseSends(this[name], name);
  return done;
};

ZmqServer.prototype.publishStatus = function (status, parent) {
  publishStatus.call(this, status, parent);
  if (status === 'idle' && running.length > 0) publishStatus.call(this, 'busy', running[0]);
};

require(path.join(tslab, 'dist', 'main.js')).main();
