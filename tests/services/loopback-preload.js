// Preloaded with `node -r ./loopback-preload.js`: every server this process opens listens on
// 127.0.0.1 only, whatever host the program asked for (kinesis-local binds 0.0.0.0 and has no
// option to change it). Nothing started by tests/run.sh may listen beyond loopback.
'use strict';
const net = require('net');

const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    if (first.path === undefined) args[0] = Object.assign({}, first, { host: '127.0.0.1' });
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    // listen(port[, host][, backlog][, callback])
    if (typeof args[1] === 'string') args[1] = '127.0.0.1';
    else args.splice(1, 0, '127.0.0.1');
  }
  return originalListen.apply(this, args);
};
// http.Server and https.Server inherit net.Server.prototype.listen; nothing else to patch.
