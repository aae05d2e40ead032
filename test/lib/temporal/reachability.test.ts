/**
 * tcpFailure against real sockets: a listening port opens, a refused one is named, and a
 * process that was busy past the deadline does not report a connection the kernel completed
 * meanwhile as unanswered (a loaded host made `jml worker` give up on a running engine).
 */
import { createServer, type Server } from 'node:net';
import { tcpFailure } from '../../../lib/temporal/reachability';

describe('tcpFailure', () => {
  let server: Server;
  let address: string;

  beforeAll(async () => {
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('is undefined when the port accepts connections', async () => {
    await expect(tcpFailure(address, 1000)).resolves.toBeUndefined();
  });

  it('names a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(tcpFailure(`127.0.0.1:${port}`, 1000)).resolves.toMatch(/connection refused/);
  });

  it('does not call a connection unanswered when this process was busy past the deadline', async () => {
    const result = tcpFailure(address, 50);
    // The event loop is blocked beyond the timeout while the kernel completes the handshake.
    const until = Date.now() + 300;
    while (Date.now() < until) {
      /* busy, as a loaded host's process is */
    }
    await expect(result).resolves.toBeUndefined();
  });
});
