"""PyTorch peer of bench/train-speed.ts: the same networks, data, batch,
optimiser and thread count, timed the same way. Called by the runner with
Debian's python3-torch (or any python with torch); prints one JSON line.

usage: torch_peer.py DATA.bin LABELS.bin N H W C NET THREADS EPOCHS BATCH [DEVICE]

DEVICE is cpu (the default) or cuda: `cnnlab bench gpu` measures PyTorch on
the GPU beside the lab's webgpu engine. On cuda each epoch's time ends with
torch.cuda.synchronize(), so queued kernels are counted.

The images and the network are in PyTorch's channels-last memory format,
the layout the lab's engine keeps (NHWC): on the AVX-512 machine of
2026-12-06 it trained every benchmark net 1.3-2.2x faster than the default
NCHW at one thread (docs/engine.md, "PyTorch's memory format"). Before
that date the peer converted the images to NCHW; for one-channel images
that conversion left channels-last strides, which PyTorch then followed,
so the 28 px nets already ran channels-last and the 32-36 px nets did not.
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


class InceptionModule(nn.Module):
    """GoogLeNet's module with reductions (Fig. 2b); the lab's inceptionV1Module."""

    def __init__(self, cin, b1, b3r, b3, b5r, b5, pool):
        super().__init__()
        self.b1 = nn.Sequential(*conv_bn_relu(cin, b1, 1))
        self.b3 = nn.Sequential(*conv_bn_relu(cin, b3r, 1), *conv_bn_relu(b3r, b3, 3))
        self.b5 = nn.Sequential(*conv_bn_relu(cin, b5r, 1), *conv_bn_relu(b5r, b5, 5))
        self.pool = nn.Sequential(nn.MaxPool2d(3, 1, 1), *conv_bn_relu(cin, pool, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.pool(x)], 1)


def inception_lab():
    # Mirrors bench/nets.ts INCEPTION_LAB_MODULES.
    rows = [(16, 16, 24, 4, 8, 8), (24, 24, 32, 8, 16, 8), 'pool', (32, 24, 48, 8, 16, 16), 'pool',
            (48, 32, 64, 8, 16, 16)]
    c, layers = 32, conv_bn_relu(3, 32, 3)
    for row in rows:
        if row == 'pool':
            layers.append(nn.MaxPool2d(3, 2, 1))
        else:
            layers.append(InceptionModule(c, *row))
            c = row[0] + row[2] + row[4] + row[5]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 10))


def separable_bn(cin, cout):
    return [nn.Conv2d(cin, cin, 3, 1, 1, groups=cin, bias=False), nn.Conv2d(cin, cout, 1, bias=False),
            nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1)]


class XceptionDown(nn.Module):
    def __init__(self, cin, f0, f1, relu_first):
        super().__init__()
        self.shortcut = nn.Sequential(nn.Conv2d(cin, f1, 1, 2, bias=False), nn.BatchNorm2d(f1, eps=1e-3, momentum=0.1))
        self.body = nn.Sequential(*([nn.ReLU()] if relu_first else []), *separable_bn(cin, f0), nn.ReLU(),
                                  *separable_bn(f0, f1), nn.MaxPool2d(3, 2, 1))

    def forward(self, x):
        return self.body(x) + self.shortcut(x)


class XceptionMiddle(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.body = nn.Sequential(*[m for _ in range(3) for m in [nn.ReLU(), *separable_bn(c, c)]])

    def forward(self, x):
        return self.body(x) + x


def xception(width, middle_blocks):
    """The lab's buildXception (Chollet Fig. 5) at a width multiplier."""
    ch = lambda n: max(8, round(n * width))
    layers = [nn.Conv2d(3, ch(32), 3, 2, 0, bias=False), nn.BatchNorm2d(ch(32), eps=1e-3), nn.ReLU(),
              nn.Conv2d(ch(32), ch(64), 3, 1, 0, bias=False), nn.BatchNorm2d(ch(64), eps=1e-3), nn.ReLU()]
    c = ch(64)
    for i, f in enumerate([128, 256, 728]):
        layers.append(XceptionDown(c, ch(f), ch(f), i > 0))
        c = ch(f)
    layers += [XceptionMiddle(c) for _ in range(middle_blocks)]
    layers.append(XceptionDown(c, ch(728), ch(1024), True))
    c = ch(1024)
    for f in [1536, 2048]:
        layers += [*separable_bn(c, ch(f)), nn.ReLU()]
        c = ch(f)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 10))


class LearnedGroupConv(nn.Module):
    """Official CondenseNet layers.LearnedGroupConv: BN, ReLU, 1x1 conv times a mask buffer."""

    def __init__(self, cin, cout):
        super().__init__()
        self.norm = nn.BatchNorm2d(cin, eps=1e-3, momentum=0.1)
        self.conv = nn.Conv2d(cin, cout, 1, bias=False)
        self.register_buffer('mask', torch.ones_like(self.conv.weight))

    def forward(self, x):
        return nn.functional.conv2d(torch.relu(self.norm(x)), self.conv.weight * self.mask)


class DenseLayer(nn.Module):
    def __init__(self, cin, growth, groups3x3=4, bottleneck=4):
        super().__init__()
        self.lgc = LearnedGroupConv(cin, bottleneck * growth)
        self.conv = nn.Sequential(nn.BatchNorm2d(bottleneck * growth, eps=1e-3, momentum=0.1), nn.ReLU(),
                                  nn.Conv2d(bottleneck * growth, growth, 3, 1, 1, groups=groups3x3, bias=False))

    def forward(self, x):
        return torch.cat([x, self.conv(self.lgc(x))], 1)


def condensenet(stages, growth, channels=3, stride=1):
    """The lab's buildCondenseNet (training network): 32 px RGB with a stride-1 stem, or chapter 04's 28 px grey with a stride-2 one."""
    c = 2 * growth[0]
    layers = [nn.Conv2d(channels, c, 3, stride, 1, bias=False)]
    for b, (count, k) in enumerate(zip(stages, growth)):
        for _ in range(count):
            layers.append(DenseLayer(c, k))
            c += k
        if b < len(stages) - 1:
            layers.append(nn.AvgPool2d(2))
    layers += [nn.BatchNorm2d(c, eps=1e-3, momentum=0.1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 10)]
    return nn.Sequential(*layers)


class SpectrumModule(nn.Module):
    """The lab's spectrumModule, pointwise first: 1x1 conv, BN, then a 3x3 on k segments (k = 0: one per channel), BN, ReLU."""

    def __init__(self, cin, cout, k, stride):
        super().__init__()
        self.pointwise = nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1))
        self.spatial = nn.Sequential(nn.Conv2d(cout, cout, 3, stride, 1, groups=cout if k == 0 else k, bias=False),
                                     nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1), nn.ReLU())
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.spatial(self.pointwise(x))
        return x + y if self.residual else y


def spectrum(k, width=0.5):
    """The lab's buildXceptionSpectrum on 28x28x1 (chapter 02's network): stride-2 stem, 2 modules in each of 3 stages."""
    ch = lambda n: max(8, round(n * width))
    c = ch(32)
    layers = [nn.Conv2d(1, c, 3, 2, 1, bias=False), nn.BatchNorm2d(c, eps=1e-3, momentum=0.1), nn.ReLU()]
    for stage, n in enumerate([64, 128, 256]):
        for i in range(2):
            layers.append(SpectrumModule(c, ch(n), k, 2 if stage > 0 and i == 0 else 1))
            c = ch(n)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 10))


def cbr(cin, cout, k, s=1):
    """conv (no bias, padding as TF's 'same' for these sizes) -> BN -> ReLU, with [h, w] kernels for 1x3 / 3x1."""
    kh, kw = (k, k) if isinstance(k, int) else k
    return [nn.Conv2d(cin, cout, (kh, kw), s, (kh // 2, kw // 2), bias=False), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1), nn.ReLU()]


def conv3x3(cin, cout, asymmetric, s=1):
    """A 3x3 as inception_lab builds it: one 3x3, or 1x3 then 3x1 (stride-1 only)."""
    if asymmetric and s == 1:
        return cbr(cin, cout, (1, 3)) + cbr(cout, cout, (3, 1))
    return cbr(cin, cout, 3, s)


class LabModule(nn.Module):
    """inception_lab's module: 1x1 | 1x1 -> 3x3 | 1x1 -> 3x3 -> 3x3 | pool -> 1x1, a quarter of the output each."""

    def __init__(self, cin, f, asymmetric):
        super().__init__()
        b, r = f // 4, f // 8
        self.b1 = nn.Sequential(*cbr(cin, b, 1))
        self.b3 = nn.Sequential(*cbr(cin, r, 1), *conv3x3(r, b, asymmetric))
        self.wide = nn.Sequential(*cbr(cin, r, 1), *conv3x3(r, b, asymmetric), *conv3x3(b, b, asymmetric))
        self.pool = nn.Sequential(nn.MaxPool2d(3, 1, 1), *cbr(cin, b, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b3(x), self.wide(x), self.pool(x)], 1)


class LabReduction(nn.Module):
    """inception_lab's parallel grid reduction (Rethinking Fig. 10): stride-2 3x3 | 3x3 -> stride-2 3x3 | stride-2 pool."""

    def __init__(self, cin, f, asymmetric):
        super().__init__()
        b = (f - cin) // 2
        self.b3 = nn.Sequential(*cbr(cin, b // 2, 1), *conv3x3(b // 2, b, asymmetric, 2))
        self.b33 = nn.Sequential(*cbr(cin, b // 2, 1), *conv3x3(b // 2, b, asymmetric), *cbr(b, b, 3, 2))
        self.pool = nn.MaxPool2d(3, 2, 1)

    def forward(self, x):
        return torch.cat([self.b3(x), self.b33(x), self.pool(x)], 1)


def inception_ch01(asymmetric):
    """Chapter 01's lab network on 28x28x1 (buildInceptionLab, width 0.5, one module a stage after its entry)."""
    layers, c = cbr(1, 16, 3, 2), 16
    for stage, f in enumerate([32, 64, 128]):
        layers.append(LabModule(c, f, asymmetric) if stage == 0 else LabReduction(c, f, asymmetric))
        layers.append(LabModule(f, f, asymmetric))
        c = f
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 10))


NETS = {'tiny': tiny, 'mobilenet_v1_0.5_32': lambda: mobilenet_v1(0.5, 7),
        'mobilenet_v2_0.5_32': lambda: mobilenet_v2(0.5, 5),
        'inception_lab_32': inception_lab,
        'xception_0.25_36': lambda: xception(0.25, 2),
        'condensenet_lab_32': lambda: condensenet([4, 4, 4], [8, 16, 32]),
        'spectrum_k1_28': lambda: spectrum(1), 'spectrum_k4_28': lambda: spectrum(4), 'spectrum_kC_28': lambda: spectrum(0),
        'inception_ch01_3x3_28': lambda: inception_ch01(False), 'inception_ch01_1x3_28': lambda: inception_ch01(True),
        'condensenet_ch04_28': lambda: condensenet([3, 3, 3], [8, 16, 32], channels=1, stride=2)}


def main():
    data, labels, n, h, w, c, net, threads, epochs, batch = sys.argv[1:11]
    device = sys.argv[11] if len(sys.argv) > 11 else 'cpu'
    n, h, w, c, threads, epochs, batch = map(int, (n, h, w, c, threads, epochs, batch))
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x = torch.from_numpy(np.fromfile(data, dtype=np.float32).reshape(n, h, w, c)).permute(0, 3, 1, 2).to(device)
    x = x.contiguous(memory_format=torch.channels_last)
    y = torch.from_numpy(np.fromfile(labels, dtype=np.int32).astype(np.int64)).to(device)
    model = NETS[net]().to(device).to(memory_format=torch.channels_last)
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
        if device == 'cuda':
            torch.cuda.synchronize()
        times.append(time.perf_counter() - started)
    steady = times[1:] if len(times) > 1 else times
    on = torch.cuda.get_device_name(0) if device == 'cuda' else 'cpu'
    peak = torch.cuda.max_memory_allocated() / 2 ** 20 if device == 'cuda' else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({'net': net, 'peer': 'pytorch %s %s' % (torch.__version__, device), 'device': on, 'threads': threads,
                      'trainableParams': trainable, 'imagesPerSecond': n / (sum(steady) / len(steady)),
                      'finalLoss': float(loss), 'peakMiB': peak}))


if __name__ == '__main__':
    main()
