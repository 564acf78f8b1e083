"""Times PyTorch's inference and training step of SegNet-Basic or FCN-32s (bench/torch/nets.py)
for bench/torch.ts; prints one JSON object.

    /usr/bin/python3 bench/torch/bench.py --net segnet-basic --batch 4 --size 128 --threads 1 [--reps 3] [--classes 11]
    /usr/bin/python3 bench/torch/bench.py --convs --threads 1 [--reps 3]

The training step is the netc trainer's: per-pixel softmax cross-entropy averaged over the
pixels, backward, SGD with momentum 0.9 (lr 1e-4, which does not change the cost), then the
loss read back. Inference runs in eval mode under no_grad. Times are the median of --reps runs
after one warm-up, wall clock and this process's CPU time (time.process_time, all threads).
--profile adds the self CPU time by operator of one training step (torch.autograd.profiler).
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn.functional as F

from nets import build


def machine_busy_ms() -> float:
    """CPU time every process has used since boot (user, nice, system, irq, softirq, steal), ms."""
    with open('/proc/stat') as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
    steal = fields[7] if len(fields) > 7 else 0
    return (user + nice + system + irq + softirq + steal) * 1000 / os.sysconf('SC_CLK_TCK')


def measure(f, reps: int, warmup: int = 1) -> dict:
    for _ in range(warmup):
        f()
    load_before = os.getloadavg()[0]
    wall, cpu = [], []
    w0, c0, busy0 = time.perf_counter(), time.process_time(), machine_busy_ms()
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        f()
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    # Cores other processes kept busy meanwhile (bench/_util.ts othersBusy).
    others = (machine_busy_ms() - busy0 - (time.process_time() - c0) * 1000) / ((time.perf_counter() - w0) * 1000)
    return {'wall': statistics.median(wall), 'cpu': statistics.median(cpu), 'wallMin': min(wall), 'runs': reps,
            'load': [round(load_before, 2), round(os.getloadavg()[0], 2)], 'otherCores': max(0.0, others)}


def output_shape(model, x) -> list:
    model.eval()
    with torch.no_grad():
        return list(model(x).shape)


# Single convolutions, forward (bench/torch.ts CONVS): the best rate each side reaches on this CPU.
CONVS = {
    'vgg-conv3_2': {'x': (1, 256, 56, 56), 'w': (256, 256, 3, 3), 'pad': 1},
    'segnet-conv_decode1': {'x': (4, 64, 128, 128), 'w': (64, 64, 7, 7), 'pad': 3},
}


def convs(threads: int, reps: int) -> None:
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    g = torch.Generator().manual_seed(1)
    out = {}
    with torch.no_grad():
        for name, c in CONVS.items():
            x = torch.rand(*c['x'], generator=g) * 2 - 1
            w = torch.rand(*c['w'], generator=g) * 2 - 1
            t = measure(lambda: F.conv2d(x, w, padding=c['pad']).sum().item(), reps)
            n, _, h, wd = c['x']
            co, ci, kh, kw = c['w']
            t['gflop'] = 2 * n * h * wd * co * ci * kh * kw / 1e9
            out[name] = t
    print(json.dumps({'threads': torch.get_num_threads(), 'convs': out}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--net', default='segnet-basic')
    ap.add_argument('--batch', type=int, default=4)
    ap.add_argument('--size', type=int, default=128)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--classes', type=int, default=11)
    ap.add_argument('--only', choices=['inference', 'step'], default=None)
    ap.add_argument('--profile', action='store_true', help='add self CPU ms by operator of one training step')
    ap.add_argument('--convs', action='store_true', help='time the single convolutions of CONVS instead of a network')
    a = ap.parse_args()
    if a.convs:
        convs(a.threads, a.reps)
        return

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    model = build(a.net, a.classes)
    g = torch.Generator().manual_seed(1)
    images = torch.rand(a.batch, 3, a.size, a.size, generator=g)
    labels = torch.randint(0, a.classes, (a.batch, a.size, a.size), generator=g)
    learned = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(learned, lr=1e-4, momentum=0.9)

    def inference() -> None:
        model.eval()
        with torch.no_grad():
            model(images).sum().item()

    def step() -> None:
        model.train()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        opt.step()
        loss.item()

    result = {
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'capability': torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, 'cpu') else None,
        'mkldnn': torch.backends.mkldnn.is_available(),
        'learnedParameters': sum(p.numel() for p in learned),
        'outputShape': output_shape(model, images[:1]),
    }
    if a.only != 'step':
        result['inference'] = measure(inference, a.reps)
    if a.only != 'inference':
        result['step'] = measure(step, a.reps)
    if a.profile:
        with torch.autograd.profiler.profile() as prof:
            step()
        result['profile'] = {e.key: e.self_cpu_time_total / 1000 for e in prof.key_averages()}
    print(json.dumps(result))


if __name__ == '__main__':
    main()
