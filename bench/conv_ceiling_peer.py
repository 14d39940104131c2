"""PyTorch's forward convolution throughput on bench/conv-ceiling.ts's shapes.

usage: conv_ceiling_peer.py THREADS REPEATS SHAPES_JSON
SHAPES_JSON: [[batch, size, in_channels, out_channels, kernel], ...]
Prints one JSON line: {"peer": "pytorch <version>", "ms": [...]} (best of REPEATS).
Each shape is timed in both of PyTorch's memory formats (NCHW and channels-last, the
lab's NHWC) and the faster counts, as in bench/conv_grads_peer.py.
"""
import json
import sys
import time

import torch


def main() -> None:
    threads, repeats, shapes = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    times = []
    with torch.no_grad():
        for batch, size, cin, cout, k in shapes:
            best = float("inf")
            for memory_format in (torch.contiguous_format, torch.channels_last):
                x = torch.randn(batch, cin, size, size).contiguous(memory_format=memory_format)
                conv = torch.nn.Conv2d(cin, cout, k, padding=k // 2, bias=False).to(memory_format=memory_format)
                conv(x)  # warm-up: oneDNN picks and caches its kernel
                for _ in range(repeats):
                    start = time.perf_counter()
                    conv(x)
                    best = min(best, time.perf_counter() - start)
            times.append(best * 1000)
    print(json.dumps({"peer": f"pytorch {torch.__version__}", "ms": times}))


if __name__ == "__main__":
    main()
