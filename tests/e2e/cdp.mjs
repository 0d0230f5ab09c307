// A minimal Chrome DevTools Protocol client over Node's standard library
// (Node 20 has no WebSocket global), shared by the browser tests
// (browser.mjs, search_queries.mjs).
import crypto from 'node:crypto';
import http from 'node:http';

// --- a minimal WebSocket client (RFC 6455: text frames, client masking) ---
export function connectWebSocket(url) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const key = crypto.randomBytes(16).toString('base64');
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key },
    });
    req.on('error', reject);
    req.on('upgrade', (res, socket) => {
      const listeners = [];
      let buffer = Buffer.alloc(0);
      let fragments = [];
      socket.on('data', (chunk) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (;;) {
          if (buffer.length < 2) return;
          const fin = (buffer[0] & 0x80) !== 0, opcode = buffer[0] & 0x0f;
          let len = buffer[1] & 0x7f, offset = 2;
          if (len === 126) { if (buffer.length < 4) return; len = buffer.readUInt16BE(2); offset = 4; }
          else if (len === 127) { if (buffer.length < 10) return; len = Number(buffer.readBigUInt64BE(2)); offset = 10; }
          if (buffer.length < offset + len) return;
          const payload = buffer.subarray(offset, offset + len);
          buffer = buffer.subarray(offset + len);
          if (opcode === 8) { socket.end(); return; }
          if (opcode === 9) { send(payload, 0xa); continue; }
          if (opcode === 1 || opcode === 0) {
            fragments.push(payload);
            if (fin) { const text = Buffer.concat(fragments).toString('utf8'); fragments = []; for (const l of listeners) l(text); }
          }
        }
      });
      function send(data, opcode = 1) {
        const payload = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
        const mask = crypto.randomBytes(4);
        let header;
        if (payload.length < 126) { header = Buffer.alloc(2); header[1] = 0x80 | payload.length; }
        else if (payload.length < 65536) { header = Buffer.alloc(4); header[1] = 0x80 | 126; header.writeUInt16BE(payload.length, 2); }
        else { header = Buffer.alloc(10); header[1] = 0x80 | 127; header.writeBigUInt64BE(BigInt(payload.length), 2); }
        header[0] = 0x80 | opcode;
        const masked = Buffer.alloc(payload.length);
        for (let i = 0; i < payload.length; i++) masked[i] = payload[i] ^ mask[i & 3];
        socket.write(Buffer.concat([header, mask, masked]));
      }
      resolve({ send, onMessage: (l) => listeners.push(l), close: () => socket.destroy() });
    });
    req.end();
  });
}

// --- CDP over the browser connection, one flattened session per page ---
export class Cdp {
  constructor(ws) {
    this.ws = ws; this.nextId = 1; this.pending = new Map(); this.handlers = [];
    ws.onMessage((text) => {
      const msg = JSON.parse(text);
      if (msg.id && this.pending.has(msg.id)) {
        const { resolve, reject } = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) reject(new Error(`${msg.error.message} ${msg.error.data ?? ''}`)); else resolve(msg.result);
      } else if (msg.method) {
        for (const h of this.handlers) h(msg);
      }
    });
  }
  send(method, params = {}, sessionId) {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }
  on(handler) { this.handlers.push(handler); }
}

