/**
 * The kernel package's README network as a user's project runs it
 * (test/fixtures/wasm-train-package/: Node scripts and a page), shared by
 * its test (test/package/) and its benchmark (bench/in-browser.ts): the
 * scripts and a few Fashion-MNIST images written into a folder, and that
 * folder served on 127.0.0.1.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

import {loadFashionMnist} from '../data/fashion-mnist';
import {REPO_ROOT} from '../root';

export const WASM_TRAIN_FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'wasm-train-package');

/** Copies the fixture's scripts and page into `dir`, with the first `images` Fashion-MNIST training images as fashion.json. */
export function writeFixtureProject(dir: string, images: number): void {
  for (const file of fs.readdirSync(WASM_TRAIN_FIXTURES)) fs.copyFileSync(path.join(WASM_TRAIN_FIXTURES, file), path.join(dir, file));
  const {train} = loadFashionMnist();
  const pixels = train.height * train.width;
  fs.writeFileSync(path.join(dir, 'fashion.json'), JSON.stringify({
    count: images,
    images: Buffer.from(train.images.subarray(0, images * pixels)).toString('base64'),
    labels: Buffer.from(train.labels.subarray(0, images)).toString('base64'),
  }));
}

const TYPES: Record<string, string> = {'.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm'};

/**
 * Serves `root` (symbolic links followed) on 127.0.0.1 at a free port;
 * pages asked for with ?isolated get the headers that allow
 * SharedArrayBuffer, so tfjs-backend-wasm loads its threaded build.
 */
export async function serveFolder(root: string): Promise<{url: string; close(): Promise<void>}> {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = {'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream'};
    if (url.searchParams.has('isolated')) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    response.writeHead(200, headers);
    fs.createReadStream(file).pipe(response);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as {port: number};
  return {url: `http://127.0.0.1:${port}`, close: () => new Promise<void>(resolve => server.close(() => resolve()))};
}
