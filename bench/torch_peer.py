"""PyTorch peer of bench/train-speed.ts: the same networks, data, batch,
optimiser and thread count, timed the same way. Called by the runner with
Debian's python3-torch (or any python with torch); prints one JSON line.

usage: torch_peer.py DATA.bin LABELS.bin N H W C NET THREADS EPOCHS BATCH
"""
import json
import resource
import sys
import time

import numpy as np
import torch
from torch import nn


def conv_bn_relu(cin, cout, k, s=1, groups=1):
    return [nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1), nn.ReLU(inplace=True)]


def tiny():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16, eps=1e-3, momentum=0.1), nn.ReLU(),
        # TF 'same' with stride 2 pads (0, 1); PyTorch pads both sides: same cost.
        nn.Conv2d(16, 16, 3, 2, 1, groups=16), nn.Conv2d(16, 32, 1),
        nn.Conv2d(32, 32, 3, 2, 1, groups=32, bias=False), nn.Conv2d(32, 64, 1),
        nn.MaxPool2d(3, 1, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def mobilenet_v1(width, depth):
    rows = [(1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512)] + [(1, 512)] * 5 + [(2, 1024), (1, 1024)]
    c = max(int(32 * width), 8)
    layers = conv_bn_relu(3, c, 3)
    for stride, filters in rows[:depth]:
        out = max(int(filters * width), 8)
        layers += conv_bn_relu(c, c, 3, stride, groups=c) + conv_bn_relu(c, out, 1)
        c = out
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 10))


def make_divisible(v, d=8):
    n = max(d, int(v + d / 2) // d * d)
    return n + d if n < 0.9 * v else n


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, t, s):
        super().__init__()
        hidden = cin * t
        layers = [] if t == 1 else [nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden, eps=1e-3), nn.ReLU6()]
        layers += [nn.Conv2d(hidden, hidden, 3, s, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden, eps=1e-3),
                   nn.ReLU6(), nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout, eps=1e-3)]
        self.body = nn.Sequential(*layers)
        self.skip = s == 1 and cin == cout

    def forward(self, x):
        return x + self.body(x) if self.skip else self.body(x)


def mobilenet_v2(width, stages):
    table = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
    c = make_divisible(32 * width)
    layers = [nn.Conv2d(3, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c, eps=1e-3), nn.ReLU6()]
    for t, ch, n, s in table[:stages]:
        out = make_divisible(ch * width)
        for i in range(n):
            layers.append(InvertedResidual(c, out, t, s if i == 0 else 1))
            c = out
    head = make_divisible(1280 * max(1.0, width))
    layers += [nn.Conv2d(c, head, 1, bias=False), nn.BatchNorm2d(head, eps=1e-3), nn.ReLU6(),
               nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(head, 10)]
    return nn.Sequential(*layers)


NETS = {'tiny': tiny, 'mobilenet_v1_0.5_32': lambda: mobilenet_v1(0.5, 7),
        'mobilenet_v2_0.5_32': lambda: mobilenet_v2(0.5, 5)}


def main():
    data, labels, n, h, w, c, net, threads, epochs, batch = sys.argv[1:]
    n, h, w, c, threads, epochs, batch = map(int, (n, h, w, c, threads, epochs, batch))
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x = torch.from_numpy(np.fromfile(data, dtype=np.float32).reshape(n, h, w, c)).permute(0, 3, 1, 2).contiguous()
    y = torch.from_numpy(np.fromfile(labels, dtype=np.int32).astype(np.int64))
    model = NETS[net]()
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for _ in range(epochs):
        started = time.perf_counter()
        for i in range(0, n, batch):
            opt.zero_grad()
            loss = loss_fn(model(x[i:i + batch]), y[i:i + batch])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - started)
    steady = times[1:] if len(times) > 1 else times
    print(json.dumps({'net': net, 'peer': 'pytorch %s' % torch.__version__, 'threads': threads,
                      'trainableParams': trainable, 'imagesPerSecond': n / (sum(steady) / len(steady)),
                      'finalLoss': float(loss),
                      'peakMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == '__main__':
    main()
