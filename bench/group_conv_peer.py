"""PyTorch peer of bench/group-conv.ts: one training step (forward and the
gradients of the input and the kernel) of a grouped 3x3 convolution, for
each number of groups, timed the same way (median of REPEATS after two
untimed steps), in each of PyTorch's memory formats (NCHW and
channels-last, the lab's NHWC); the faster counts, as in
bench/conv_grads_peer.py. Prints one JSON line.

usage: group_conv_peer.py BATCH SIZE CHANNELS THREADS REPEATS G1,G2,...
"""
import json
import sys
import time

import torch


def main():
    batch, size, channels, threads, repeats = map(int, sys.argv[1:6])
    groups = [int(g) for g in sys.argv[6].split(',')]
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    ms = {}
    for g in groups:
        for memory_format in (torch.contiguous_format, torch.channels_last):
            x = torch.randn(batch, channels, size, size).contiguous(memory_format=memory_format).requires_grad_()
            w = torch.randn(channels, channels // g, 3, 3).contiguous(memory_format=memory_format).requires_grad_()

            def step():
                y = torch.nn.functional.conv2d(x, w, padding=1, groups=g)
                (y * y).mean().backward()
                x.grad = None
                w.grad = None

            step()
            step()
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                step()
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            ms[g] = min(ms.get(g, float('inf')), times[len(times) // 2])
    print(json.dumps({'peer': 'pytorch %s' % torch.__version__, 'threads': threads, 'ms': ms}))


if __name__ == '__main__':
    main()
