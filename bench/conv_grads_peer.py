"""PyTorch peer of bench/conv-grads.ts: for each convolution, the forward
pass, the input gradient and the filter gradient as separate calls
(aten::convolution_backward for one gradient at a time, as autograd runs
them in training), timed as the lab's side is
(median of REPEATS rounds of CALLS calls, after one untimed call each).
Prints one JSON line.

usage: conv_grads_peer.py THREADS REPEATS CALLS SHAPES_JSON
SHAPES_JSON: [{"name", "batch", "size", "inChannels", "outChannels", "kernel", "stride", "padding", "depthwise"?}, ...]
A depthwise shape is a grouped convolution with one group per input channel.
Each call is timed with its tensors in both of PyTorch's memory formats, NCHW
and channels-last (the lab's NHWC), and the faster counts: neither is
PyTorch's faster path for every call (2026-12-06, one thread: channels-last
forward passes of most shapes faster, the input gradients of the one-channel
stems and of some depthwise and 1x1 convolutions slower). "formats" says which
one each figure is.
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


def backward(dy, x, w, stride, padding, groups, wanted):
    """One gradient as autograd computes it in training (aten::convolution_backward): torch.nn.grad's
    conv2d_input runs a transposed convolution instead, 1.4x slower on a strided depthwise one."""
    return torch.ops.aten.convolution_backward(dy, x, w, None, [stride, stride], [padding, padding], [1, 1], False, [0, 0],
                                               groups, wanted)


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
        groups = s['inChannels'] if s.get('depthwise') else 1
        best, formats = {}, {}
        for name, memory_format in (('nchw', torch.contiguous_format), ('channels-last', torch.channels_last)):
            x = torch.randn(s['batch'], s['inChannels'], s['size'], s['size']).contiguous(memory_format=memory_format)
            w = torch.randn(s['outChannels'], s['inChannels'] // groups, k, k).contiguous(memory_format=memory_format)
            y = torch.nn.functional.conv2d(x, w, stride=stride, padding=padding, groups=groups)
            dy = torch.randn_like(y).contiguous(memory_format=memory_format)
            with torch.no_grad():
                timed = {
                    'forward': median_ms(lambda: torch.nn.functional.conv2d(x, w, stride=stride, padding=padding, groups=groups),
                                         repeats, calls),
                    'inputGradient': median_ms(lambda: backward(dy, x, w, stride, padding, groups, [True, False, False]),
                                               repeats, calls),
                    'filterGradient': median_ms(lambda: backward(dy, x, w, stride, padding, groups, [False, True, False]),
                                                repeats, calls),
                }
            for call, ms in timed.items():
                if call not in best or ms < best[call]:
                    best[call], formats[call] = ms, name
        rows[s['name']] = {**best, 'formats': formats}
    print(json.dumps({'peer': 'pytorch %s' % torch.__version__, 'threads': threads, 'ms': rows}))


main()
