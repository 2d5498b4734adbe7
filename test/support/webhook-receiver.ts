/** A webhook receiver for tests: records every POST, checks its signature, and can be stopped and restarted on the same port. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '../../src/webhooks/signature';

export interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
  signatureValid: boolean;
}

export class WebhookReceiver {
  readonly received: Received[] = [];
  secret = '';
  private server?: http.Server;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          body = undefined;
        }
        const signatureValid = verify(this.secret, String(req.headers['x-signature'] ?? ''), raw);
        this.received.push({ headers: req.headers, raw, body, signatureValid });
        res.writeHead(signatureValid ? 204 : 401).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Events (by body) about one callback. */
  forCallback(id: string): Received[] {
    return this.received.filter((r) => r.body?.callback?.id === id);
  }
}
