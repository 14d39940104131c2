/**
 * Run as a child process by gpu-probe.ts: asks Dawn for its WebGPU adapter,
 * creates no device, prints one JSON line {ok, adapter} or {ok: false, error}.
 */
function optionalRequire(name: string): unknown {
  try {
    return require(name);
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const dawn = optionalRequire('webgpu') as {create(options: string[]): {requestAdapter(): Promise<unknown>}} | null;
  if (dawn == null) {
    console.log(JSON.stringify({ok: false, error: "the npm package 'webgpu' (Dawn) is not installed"}));
    return;
  }
  const adapter = await dawn.create([]).requestAdapter() as {info?: {vendor?: string; architecture?: string; description?: string}} | null;
  if (adapter == null) {
    console.log(JSON.stringify({ok: false, error: 'Dawn found no WebGPU adapter (no Vulkan driver it can use)'}));
    return;
  }
  const info = adapter.info ?? {};
  console.log(JSON.stringify({ok: true, adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'WebGPU adapter'}));
}

main().then(() => process.exit(0), error => {
  console.log(JSON.stringify({ok: false, error: (error as Error).message.split('\n')[0]}));
  process.exit(0);
});
