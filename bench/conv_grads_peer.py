"""PyTorch peer of bench/conv-grads.ts: for each convolution, the forward
pass, the input gradient and the filter gradient as separate calls
(torch.nn.grad.conv2d_input / conv2d_weight), timed as the lab's side is
(median of REPEATS rounds of CALLS calls, after one untimed call each).
Prints one JSON line.

usage: conv_grads_peer.py THREADS REPEATS CALLS SHAPES_JSON
SHAPES_JSON: [{"name", "batch", "size", "inChannels", "outChannels", "kernel", "stride", "padding", "depthwise"?}, ...]
A depthwise shape is a grouped convolution with one group per input channel.
"""
import json
import sys
import time

import torch


def median_ms(call, repeats, calls):
    call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(calls):
            call()
        times.append((time.perf_counter() - started) * 1000 / calls)
    times.sort()
    return times[len(times) // 2]


def main():
    threads, repeats, calls = map(int, sys.argv[1:4])
    shapes = json.loads(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    rows = {}
    for s in shapes:
        k, stride = s['kernel'], s['stride']
        # (k - 1) // 2 on each side gives TF.js's 'same' output size; at stride 2 on an even size TF.js pads
        # one side less, which moves the windows but not the work. 'valid' pads nothing.
        padding = (k - 1) // 2 if s['padding'] == 'same' else 0
        # Channels-last, the lab's NHWC layout (bench/torch_peer.py says why).
        x = torch.randn(s['batch'], s['inChannels'], s['size'], s['size']).contiguous(memory_format=torch.channels_last)
        groups = s['inChannels'] if s.get('depthwise') else 1
        w = torch.randn(s['outChannels'], s['inChannels'] // groups, k, k).contiguous(memory_format=torch.channels_last)
        y = torch.nn.functional.conv2d(x, w, stride=stride, padding=padding, groups=groups)
        dy = torch.randn_like(y).contiguous(memory_format=torch.channels_last)
        with torch.no_grad():
            rows[s['name']] = {
                'forward': median_ms(lambda: torch.nn.functional.conv2d(x, w, stride=stride, padding=padding, groups=groups),
                                     repeats, calls),
                'inputGradient': median_ms(lambda: torch.nn.grad.conv2d_input(x.shape, w, dy, stride=stride, padding=padding,
                                                                                 groups=groups),
                                           repeats, calls),
                'filterGradient': median_ms(lambda: torch.nn.grad.conv2d_weight(x, w.shape, dy, stride=stride, padding=padding,
                                                                                   groups=groups),
                                            repeats, calls),
            }
    print(json.dumps({'peer': 'pytorch %s' % torch.__version__, 'threads': threads, 'ms': rows}))


main()
