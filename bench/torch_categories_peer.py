"""Where PyTorch's training step goes, in the categories of lib/bench/kernel-clock.ts.

usage: python3 bench/torch_categories_peer.py <net> <height> <channels> <threads> <steps>

The net is bench/torch_peer.py's, trained as there (batch 64, Adam 2e-3,
cross-entropy, channels-last memory format) on random images. After warm steps, `steps` steps are timed
under torch.profiler, then `steps` more without it. Each ATen operator's self time goes to the category of the
outermost ATen operator around it (aten::empty inside aten::batch_norm is
batch norm's), or to the optimiser inside Adam's step and zero_grad. The
rest of the profiled steps (Python, autograd's engine, the profiler's own
records) is "outside the kernels". Both the profiled and the unprofiled
step's times are printed, in one JSON line: on a shared machine they can
differ by more than the profiler's own cost, so compare a category with the
profiled step it is part of.
"""
import json
import sys
import time

import torch
import torch.nn as nn
from torch.profiler import ProfilerActivity, profile

from torch_peer import NETS

WARM_STEPS = 10
COPIES = {'cat', 'split', 'split_with_sizes', 'view', 'reshape', '_reshape_alias', 'copy_', 'contiguous', 'slice',
          'narrow', 'clone', 't', 'transpose', 'permute', 'as_strided', 'expand', 'unsqueeze', 'squeeze', 'flatten',
          'select', '_to_copy', 'to', 'empty', 'empty_like', 'empty_strided', 'zeros', 'zero_', 'fill_', 'resize_',
          'detach', 'detach_', 'alias', 'chunk', 'unbind', 'stack'}


def category(aten_name):
    name = aten_name[len('aten::'):]
    if 'conv' in name:
        return 'convolution gradients' if 'backward' in name else 'convolutions, forward'
    if 'batch_norm' in name:
        return 'batch norm'
    if 'pool' in name:
        return 'pooling'
    if name in ('mm', 'addmm', 'bmm', 'matmul', 'linear'):
        return 'matrix products'
    if name in COPIES:
        return 'copies and reshapes'
    return 'element-wise and reductions'


def categorise(event):
    """The category of an ATen event's self time, or None for events that are not ATen operators."""
    if not event.name.startswith('aten::'):
        return None
    outermost, parent = event, event.cpu_parent
    while parent is not None:
        if parent.name.startswith('Optimizer.'):
            return 'optimiser (Adam)'
        if parent.name.startswith('aten::'):
            outermost = parent
        parent = parent.cpu_parent
    return category(outermost.name)


def main():
    net, height, channels, threads, steps = sys.argv[1], *map(int, sys.argv[2:6])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = NETS[net]().to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    images = torch.randn(64, channels, height, height).contiguous(memory_format=torch.channels_last)
    labels = torch.randint(0, 10, (64,))

    def step():
        optimizer.zero_grad()
        loss_fn(model(images), labels).backward()
        optimizer.step()

    for _ in range(WARM_STEPS):
        step()
    with profile(activities=[ProfilerActivity.CPU]) as profiled:
        started = time.perf_counter()
        for _ in range(steps):
            step()
        profiled_ms = (time.perf_counter() - started) / steps * 1000
    started = time.perf_counter()
    for _ in range(steps):
        step()
    unprofiled_ms = (time.perf_counter() - started) / steps * 1000
    ms = {}
    for event in profiled.events():
        name = categorise(event)
        if name is not None:
            ms[name] = ms.get(name, 0.0) + event.self_cpu_time_total / 1000 / steps
    print(json.dumps({'net': net, 'threads': threads, 'peer': 'pytorch %s' % torch.__version__, 'stepMs': profiled_ms,
                      'unprofiledStepMs': unprofiled_ms, 'categoryMs': ms}))


if __name__ == '__main__':
    main()
