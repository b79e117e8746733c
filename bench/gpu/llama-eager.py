#!/usr/bin/env python3
"""Llama-3.1-8B's architecture with random BF16 weights, in eager PyTorch: prefill and decode step
times on one GPU, written as JSON next to the simulator's profiles.

    python3 bench/gpu/llama-eager.py --out DIR            # on an H100 or H200, about a minute
    python3 bench/gpu/llama-eager.py --device cpu --tiny  # self-test of the code paths, no GPU
    python3 bench/gpu/llama-eager.py --device cpu --tiny --prefill 128,256 --batches 1,2 --contexts 128,1024
                                                          # the same, in seconds instead of minutes
    python3 bench/gpu/llama-eager.py --out DIR --mixed-only FILE  # add mixed steps to an earlier file

What it measures (all batch sizes share one context length per point, as the perf model assumes):
- ceilings: a device-to-device copy (GB/s, bytes read + written) and an 8192^3 BF16 matmul (TFLOP/s);
- prefill: one prompt of 128..4096 tokens (KV written to a cache, LM head on the last token only,
  as TGI does), CUDA-event time per forward;
- decode: one step for batch 1..128 at a few context lengths, eager and replayed as a CUDA graph
  (TGI captures decode steps in CUDA graphs), KV cache preallocated, greedy argmax included;
- mixed steps (chunked prefill riding with decode, as TGI batches them): b decode rows at 1,024
  tokens of context plus one new prompt of n tokens in one forward, next to each part alone;
- a check that this implementation is Llama: the same random weights loaded into transformers'
  LlamaForCausalLM give the same logits (cosine, argmax agreement), and transformers' own eager
  prefill/decode timings for a few points.

The model: fused QKV and gate/up projections (TGI's layout), RMSNorm, rotary embeddings with Llama
3.1's frequency scaling, grouped-query attention through scaled_dot_product_attention, SwiGLU MLP,
untied LM head. Weights are random normal(0, 0.02): timing does not depend on their values.
Eager PyTorch is slower than TGI's fused kernels: the figures bound TGI from above, they are not TGI.

The JSON is written as DIR/llama-3.1-8b_<gpu name>.eager.json; save it as
reference-service/model-server/profiles/measured/<profile>.eager-pytorch.json (e.g.
llama-3.1-8b@h200.eager-pytorch.json) and bench/model-server-calibration.ts compares the profile with it.
"""
import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn.functional as F

SCHEMA_VERSION = 1
LLAMA_8B = dict(hidden=4096, layers=32, heads=32, kv_heads=8, head_dim=128, ffn=14336, vocab=128256)
TINY = dict(hidden=256, layers=2, heads=8, kv_heads=2, head_dim=32, ffn=512, vocab=1000)
ROPE = dict(theta=500000.0, factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0, original_max_positions=8192)
RMS_EPS = 1e-5
MAX_POSITIONS = 8192  # rows of the rotary tables: the longest prompt or context a run can time
INIT_STD = 0.02


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', default=os.environ.get('OUT', '.'), help='folder for the JSON (default $OUT or .)')
    p.add_argument('--device', default='cuda', choices=['cuda', 'cpu'])
    p.add_argument('--tiny', action='store_true', help='tiny config, for a self-test of the code paths')
    p.add_argument('--budget-s', type=float, default=420, help='skip remaining points after this many seconds')
    p.add_argument('--prefill', default='128,256,512,1024,2048,4096', help='prompt lengths, tokens')
    p.add_argument('--batches', default='1,2,4,8,16,32,64,128', help='decode batch sizes')
    p.add_argument('--contexts', default='128,1024,4096', help='decode context lengths, tokens')
    p.add_argument('--skip-hf', action='store_true', help='skip the transformers check')
    p.add_argument('--mixed-only', metavar='FILE',
                   help='measure only the mixed steps and add them to FILE, a JSON this script wrote on the same GPU')
    args = p.parse_args()

    def ints(text, name):
        try:
            values = [int(v) for v in text.split(',') if v.strip()]
        except ValueError:
            p.error(f'--{name} takes comma-separated whole numbers, got {text!r}')
        if not values or min(values) < 1:
            p.error(f'--{name} needs at least one value >= 1, got {text!r}')
        return values

    args.prefill = ints(args.prefill, 'prefill')
    args.batches = ints(args.batches, 'batches')
    args.contexts = ints(args.contexts, 'contexts')
    if max(args.prefill) > MAX_POSITIONS or max(args.contexts) >= MAX_POSITIONS:
        p.error(f'--prefill and --contexts go up to {MAX_POSITIONS} tokens (a context of n takes position n)')
    if args.mixed_only is not None and not os.path.isfile(args.mixed_only):
        p.error(f'--mixed-only: no file {args.mixed_only!r}; give a JSON an earlier full run wrote')
    if args.device == 'cuda' and not torch.cuda.is_available():
        p.error('no CUDA device is visible to PyTorch: run on a GPU machine, or use --device cpu --tiny')
    return args


class Clock:
    """Per-call times in ms: CUDA events on a GPU (launch gaps included), perf_counter on the CPU."""

    def __init__(self, device):
        self.cuda = device == 'cuda'

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize()

    def times_ms(self, fn, reps, warmup):
        for _ in range(warmup):
            fn()
        self.sync()
        if not self.cuda:
            out = []
            for _ in range(reps):
                t0 = time.perf_counter()
                fn()
                out.append((time.perf_counter() - t0) * 1e3)
            return out
        starts = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
        ends = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
        for i in range(reps):
            starts[i].record()
            fn()
            ends[i].record()
        torch.cuda.synchronize()
        return [s.elapsed_time(e) for s, e in zip(starts, ends)]


def utc_now():
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())


def this_command():
    return 'python3 ' + ' '.join(sys.argv)


def write_json(path, report):
    with open(path, 'w') as f:
        json.dump(report, f, indent=2)
        f.write('\n')


def summary(times_ms):
    ordered = sorted(times_ms)

    def q(share):
        return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]

    return dict(medianMs=round(statistics.median(ordered), 4), p10Ms=round(q(0.1), 4),
                p90Ms=round(q(0.9), 4), reps=len(ordered))


def llama3_inv_freq(head_dim, device):
    """Rotary inverse frequencies with Llama 3.1's scaling (factor 8 below 8192-token wavelengths)."""
    inv = 1.0 / (ROPE['theta'] ** (torch.arange(0, head_dim, 2, dtype=torch.float32, device=device) / head_dim))
    low_wavelen = ROPE['original_max_positions'] / ROPE['low_freq_factor']
    high_wavelen = ROPE['original_max_positions'] / ROPE['high_freq_factor']
    wavelen = 2 * math.pi / inv
    smooth = (ROPE['original_max_positions'] / wavelen - ROPE['low_freq_factor']) / (
        ROPE['high_freq_factor'] - ROPE['low_freq_factor'])
    scaled = torch.where(wavelen > low_wavelen, inv / ROPE['factor'], inv)
    mid = (wavelen >= high_wavelen) & (wavelen <= low_wavelen)
    return torch.where(mid, (1 - smooth) * inv / ROPE['factor'] + smooth * inv, scaled)


def has_sdpa():
    return hasattr(F, 'scaled_dot_product_attention')


def attention(q, k, v, causal):
    """q (B, Hq, Tq, D), k/v (B, Hq, Tk, D). SDPA where PyTorch has it, the textbook formula otherwise."""
    if has_sdpa():
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    scores = (q.float() @ k.float().transpose(-1, -2)) / math.sqrt(q.shape[-1])
    if causal:
        tq, tk = scores.shape[-2], scores.shape[-1]
        mask = torch.ones(tq, tk, dtype=torch.bool, device=q.device).tril(tk - tq)
        scores = scores.masked_fill(~mask, float('-inf'))
    return (scores.softmax(-1) @ v.float()).to(q.dtype)


def rms_norm(x, weight):
    if hasattr(F, 'rms_norm'):
        return F.rms_norm(x, (x.shape[-1],), weight, RMS_EPS)
    xf = x.float()
    return weight * (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + RMS_EPS)).to(x.dtype)


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    return x * cos + torch.cat((-x[..., half:], x[..., :half]), -1) * sin


class Llama:
    def __init__(self, cfg, device, dtype, weights=None, inv_freq=None):
        self.cfg, self.device, self.dtype = cfg, device, dtype
        h, kv, d, ffn = cfg['hidden'], cfg['kv_heads'], cfg['head_dim'], cfg['ffn']
        self.q_size, self.kv_size = cfg['heads'] * d, kv * d
        self.group = cfg['heads'] // kv
        if weights is None:
            def rand(*shape):
                return torch.empty(*shape, dtype=dtype, device=device).normal_(0, INIT_STD)

            def ones(n):
                return torch.ones(n, dtype=dtype, device=device)

            weights = dict(embed=rand(cfg['vocab'], h), norm=ones(h), lm_head=rand(cfg['vocab'], h), layers=[
                dict(ln1=ones(h), wqkv=rand(self.q_size + 2 * self.kv_size, h), wo=rand(h, self.q_size),
                     ln2=ones(h), wgu=rand(2 * ffn, h), wd=rand(h, ffn)) for _ in range(cfg['layers'])])
        self.w = weights
        inv = inv_freq if inv_freq is not None else llama3_inv_freq(d, device)
        angles = torch.outer(torch.arange(MAX_POSITIONS, dtype=torch.float32, device=device), inv.float())
        angles = torch.cat((angles, angles), -1)
        self.cos, self.sin = angles.cos().to(dtype), angles.sin().to(dtype)

    def param_count(self):
        w = self.w
        return sum(t.numel() for t in (w['embed'], w['norm'], w['lm_head'])) + sum(
            t.numel() for layer in w['layers'] for t in layer.values())

    def new_cache(self, batch, positions):
        kv, d = self.cfg['kv_heads'], self.cfg['head_dim']
        return [(torch.empty(batch, kv, positions, d, dtype=self.dtype, device=self.device).normal_(),
                 torch.empty(batch, kv, positions, d, dtype=self.dtype, device=self.device).normal_())
                for _ in range(self.cfg['layers'])]

    def _mlp(self, x, layer):
        gate, up = F.linear(rms_norm(x, layer['ln2']), layer['wgu']).split(self.cfg['ffn'], dim=-1)
        return x + F.linear(F.silu(gate) * up, layer['wd'])

    def _prompt_attention(self, q, k, v, cache):
        """Causal attention of one prompt's n rows (positions 0..n-1); its KV written to cache (1, kv, >= n, d)."""
        n, kv, d = q.shape[0], self.cfg['kv_heads'], self.cfg['head_dim']
        cos, sin = self.cos[:n].unsqueeze(1), self.sin[:n].unsqueeze(1)
        q = rotate(q.view(n, -1, d), cos, sin).transpose(0, 1).unsqueeze(0)
        k = rotate(k.view(n, kv, d), cos, sin).transpose(0, 1).unsqueeze(0)
        v = v.view(n, kv, d).transpose(0, 1).unsqueeze(0)
        cache[0][:, :, :n] = k
        cache[1][:, :, :n] = v
        a = attention(q, k.repeat_interleave(self.group, dim=1), v.repeat_interleave(self.group, dim=1), True)
        return a.squeeze(0).transpose(0, 1).reshape(n, self.q_size)

    def _decode_attention(self, q, k, v, position, cache):
        """Attention of b decode rows, every sequence at `position`, over its cache (b, kv, > position, d)."""
        b, kv, d = q.shape[0], self.cfg['kv_heads'], self.cfg['head_dim']
        cos, sin = self.cos[position], self.sin[position]
        k_cache, v_cache = cache
        k_cache[:, :, position] = rotate(k.view(b, kv, d), cos, sin)
        v_cache[:, :, position] = v.view(b, kv, d)
        # The query heads sharing a KV head become that head's query rows: one read of the cache.
        q = rotate(q.view(b, -1, d), cos, sin).view(b, kv, self.group, d)
        a = attention(q, k_cache[:, :, :position + 1], v_cache[:, :, :position + 1], False)
        return a.reshape(b, self.q_size)

    def _qkv(self, x, layer):
        return F.linear(rms_norm(x, layer['ln1']), layer['wqkv']).split(
            [self.q_size, self.kv_size, self.kv_size], dim=-1)

    def _head(self, x):
        return F.linear(rms_norm(x, self.w['norm']), self.w['lm_head'])

    def prefill(self, ids, cache, all_logits=False):
        """One prompt: ids (n,), positions 0..n-1; KV written to cache[l] (1, kv, >= n, d)."""
        x = F.embedding(ids, self.w['embed'])
        for layer, layer_cache in zip(self.w['layers'], cache):
            a = self._prompt_attention(*self._qkv(x, layer), layer_cache)
            x = self._mlp(x + F.linear(a, layer['wo']), layer)
        return self._head(x if all_logits else x[-1:])

    def decode(self, ids, position, cache, logits=False):
        """One step for ids (b,), every sequence at `position` (its context so far); returns next ids."""
        x = F.embedding(ids, self.w['embed'])
        for layer, layer_cache in zip(self.w['layers'], cache):
            a = self._decode_attention(*self._qkv(x, layer), position, layer_cache)
            x = self._mlp(x + F.linear(a, layer['wo']), layer)
        out = self._head(x)
        return out if logits else out.argmax(-1)

    def mixed(self, ids, position, cache, prompt_ids, prompt_cache, logits=False):
        """One forward as TGI batches chunked prefill with decode: b decode rows (every sequence at
        `position`) and one new prompt of n rows share every matmul; attention is done per part.
        Returns the next ids of the b sequences and of the prompt."""
        b = ids.shape[0]
        x = F.embedding(torch.cat([ids, prompt_ids]), self.w['embed'])
        for layer, layer_cache, layer_prompt_cache in zip(self.w['layers'], cache, prompt_cache):
            q, k, v = self._qkv(x, layer)
            a = torch.cat([self._decode_attention(q[:b], k[:b], v[:b], position, layer_cache),
                           self._prompt_attention(q[b:], k[b:], v[b:], layer_prompt_cache)])
            x = self._mlp(x + F.linear(a, layer['wo']), layer)
        out = self._head(torch.cat([x[:b], x[-1:]]))
        return out if logits else out.argmax(-1)


def self_check(model, cfg, device):
    """A decode step after a prefill must give the logits a prefill of one more token gives."""
    gen = torch.Generator(device='cpu').manual_seed(5)
    n = 48
    ids = torch.randint(0, cfg['vocab'], (n + 1,), generator=gen).to(device)
    full = model.prefill(ids, model.new_cache(1, n + 1), all_logits=True)[-1].float()
    cache = model.new_cache(1, n + 1)
    model.prefill(ids[:n], cache)
    step = model.decode(ids[n:], n, cache, logits=True)[0].float()
    # The mixed step must give each part what it gives alone.
    prompt = ids[:16]
    mixed = model.mixed(ids[n:], n, cache, prompt, model.new_cache(1, 16), logits=True).float()
    alone = torch.cat([model.decode(ids[n:], n, cache, logits=True), model.prefill(prompt, model.new_cache(1, 16))]).float()
    return dict(prefillVsDecodeCosine=round(F.cosine_similarity(full, step, dim=0).item(), 5),
                sameArgmax=bool(full.argmax().item() == step.argmax().item()),
                mixedVsPartsCosine=round(F.cosine_similarity(mixed, alone, dim=-1).min().item(), 5))


def measure_ceilings(clock, device):
    if device != 'cuda':
        return None
    n_bytes = 4 << 30
    src = torch.empty(n_bytes // 2, dtype=torch.bfloat16, device=device).normal_()
    dst = torch.empty_like(src)
    copy = summary(clock.times_ms(lambda: dst.copy_(src), reps=10, warmup=3))
    del src, dst
    a = torch.randn(8192, 8192, dtype=torch.bfloat16, device=device)
    bm = torch.randn(8192, 8192, dtype=torch.bfloat16, device=device)
    mm = summary(clock.times_ms(lambda: a @ bm, reps=10, warmup=3))
    del a, bm
    torch.cuda.empty_cache()
    return dict(copyGBps=round(2 * n_bytes / (copy['medianMs'] * 1e-3) / 1e9, 1),
                bf16MatmulTflops=round(2 * 8192 ** 3 / (mm['medianMs'] * 1e-3) / 1e12, 1),
                copyBytes=n_bytes, matmulShape=[8192, 8192, 8192])


def hf_config(cfg):
    import transformers
    from transformers import LlamaConfig
    common = dict(vocab_size=cfg['vocab'], hidden_size=cfg['hidden'], intermediate_size=cfg['ffn'],
                  num_hidden_layers=cfg['layers'], num_attention_heads=cfg['heads'],
                  num_key_value_heads=cfg['kv_heads'], head_dim=cfg['head_dim'], rms_norm_eps=RMS_EPS,
                  max_position_embeddings=131072, tie_word_embeddings=False, attention_bias=False,
                  mlp_bias=False, initializer_range=INIT_STD)
    scaling = dict(rope_type='llama3', factor=ROPE['factor'], low_freq_factor=ROPE['low_freq_factor'],
                   high_freq_factor=ROPE['high_freq_factor'],
                   original_max_position_embeddings=ROPE['original_max_positions'])
    if int(transformers.__version__.split('.')[0]) >= 5:
        return LlamaConfig(**common, rope_parameters=dict(scaling, rope_theta=ROPE['theta']))
    return LlamaConfig(**common, rope_theta=ROPE['theta'], rope_scaling=scaling)


def build_hf(cfg, device, dtype):
    """transformers' LlamaForCausalLM with its own random init, and our fused copy of its weights."""
    from transformers import LlamaForCausalLM
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            model = LlamaForCausalLM(hf_config(cfg))
    finally:
        torch.set_default_dtype(previous)
    model.eval()
    sd = model.state_dict()

    def layer(i):
        p = f'model.layers.{i}.'
        return dict(
            ln1=sd[p + 'input_layernorm.weight'], ln2=sd[p + 'post_attention_layernorm.weight'],
            wqkv=torch.cat([sd[p + f'self_attn.{n}_proj.weight'] for n in 'qkv']),
            wo=sd[p + 'self_attn.o_proj.weight'],
            wgu=torch.cat([sd[p + 'mlp.gate_proj.weight'], sd[p + 'mlp.up_proj.weight']]),
            wd=sd[p + 'mlp.down_proj.weight'])

    weights = dict(embed=sd['model.embed_tokens.weight'], norm=sd['model.norm.weight'],
                   lm_head=sd['lm_head.weight'], layers=[layer(i) for i in range(cfg['layers'])])
    inv_freq = next((b for name, b in model.named_buffers() if name.endswith('inv_freq')), None)
    return model, weights, inv_freq


def hf_check_and_time(model, ours, cfg, clock, device, args, deadline, out):
    """Same weights, same prompt: logits must agree; then transformers' own eager timings (into out)."""
    gen = torch.Generator(device='cpu').manual_seed(7)
    ids = torch.randint(0, cfg['vocab'], (64,), generator=gen).to(device)
    hf_logits = model(ids.unsqueeze(0), use_cache=False).logits[0].float()
    our_logits = ours.prefill(ids, ours.new_cache(1, 64), all_logits=True).float()
    cosine = F.cosine_similarity(hf_logits, our_logits, dim=-1)
    out['logitsCosineMin'] = round(cosine.min().item(), 5)
    out['argmaxAgreement'] = round((hf_logits.argmax(-1) == our_logits.argmax(-1)).float().mean().item(), 4)
    out['attnImplementation'] = getattr(model.config, '_attn_implementation', None)
    if args.tiny:
        return
    prefill = out['prefill'] = []
    for n in [t for t in (512, 2048) if t in args.prefill]:
        if time.monotonic() > deadline:
            break
        pids = torch.randint(0, cfg['vocab'], (1, n), generator=gen).to(device)
        times = clock.times_ms(lambda: model(pids, use_cache=False, logits_to_keep=1), reps=5, warmup=2)
        prefill.append(dict(tokens=n, **summary(times)))
    if time.monotonic() < deadline:
        context = 1024
        pids = torch.randint(0, cfg['vocab'], (1, context), generator=gen).to(device)
        first = model(pids, use_cache=True, logits_to_keep=1)
        state = dict(pkv=first.past_key_values, ids=first.logits[:, -1:].argmax(-1))

        def step():
            r = model(state['ids'], past_key_values=state['pkv'], use_cache=True)
            state['pkv'], state['ids'] = r.past_key_values, r.logits[:, -1:].argmax(-1)

        times = clock.times_ms(step, reps=20, warmup=3)
        out['decode'] = [dict(batch=1, contextTokens=context, note='DynamicCache, grows by one token per step',
                              **summary(times))]


def measure_prefill(model, cfg, clock, device, args, deadline, results):
    gen = torch.Generator(device='cpu').manual_seed(11)
    cache = model.new_cache(1, max(args.prefill))
    for n in args.prefill:  # one untimed pass first: the first call of each shape picks its kernels
        model.prefill(torch.randint(0, cfg['vocab'], (n,), generator=gen).to(device), cache)
    for n in args.prefill:
        if time.monotonic() > deadline:
            results.append(dict(tokens=n, skipped='time budget spent'))
            continue
        ids = torch.randint(0, cfg['vocab'], (n,), generator=gen).to(device)
        times = clock.times_ms(lambda: model.prefill(ids, cache), reps=10 if n <= 2048 else 6, warmup=3)
        results.append(dict(batch=1, tokens=n, **summary(times)))
        print(f'prefill {n:>5} tok: {results[-1]["medianMs"]:.2f} ms', flush=True)
    del cache


def free_bytes(device):
    if device != 'cuda':
        return float('inf')
    free, _ = torch.cuda.mem_get_info()
    return free


def graph_times(clock, fn, reps):
    """Captures fn as a CUDA graph (after a warm-up on a side stream) and times its replays."""
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(2):
            fn()
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        fn()
    times = summary(clock.times_ms(graph.replay, reps=reps, warmup=3))
    del graph
    return times


MIXED_POINTS = [(b, 1024, n) for b in (16, 64, 128) for n in (256, 1024, 2048)]


def measure_mixed(model, cfg, clock, device, deadline, results, points):
    """Chunked prefill riding with decode: the mixed step, and each part alone, in the same process."""
    gen = torch.Generator(device='cpu').manual_seed(17)
    for batch, context, tokens in points:
        point = dict(batch=batch, contextTokens=context, prefillTokens=tokens)
        if time.monotonic() > deadline:
            results.append(dict(point, skipped='time budget spent'))
            continue
        cache = model.new_cache(batch, context + 1)
        prompt_cache = model.new_cache(1, tokens)
        ids = torch.randint(0, cfg['vocab'], (batch,), generator=gen).to(device)
        prompt = torch.randint(0, cfg['vocab'], (tokens,), generator=gen).to(device)
        parts = dict(
            mixed=lambda: model.mixed(ids, context, cache, prompt, prompt_cache),
            decodeOnly=lambda: model.decode(ids, context, cache),
            prefillOnly=lambda: model.prefill(prompt, prompt_cache),
        )
        for name, fn in parts.items():
            point[name] = dict(eager=summary(clock.times_ms(fn, reps=10, warmup=3)))
            if device == 'cuda':
                point[name]['cudaGraph'] = graph_times(clock, fn, reps=20)
        results.append(point)
        view = {k: point[k].get('cudaGraph', point[k]['eager'])['medianMs'] for k in parts}
        print(f'mixed bs{batch:>3} ctx {context} + prompt {tokens:>4}: ' +
              ', '.join(f'{k} {v:.2f} ms' for k, v in view.items()), flush=True)
        del cache, prompt_cache
        if device == 'cuda':
            torch.cuda.empty_cache()


def measure_decode(model, cfg, clock, device, args, deadline, results):
    kv_bytes_per_token = 2 * cfg['layers'] * cfg['kv_heads'] * cfg['head_dim'] * 2
    gen = torch.Generator(device='cpu').manual_seed(13)
    for context in args.contexts:
        for batch in args.batches:
            point = dict(batch=batch, contextTokens=context)
            need = batch * (context + 1) * kv_bytes_per_token
            if time.monotonic() > deadline:
                results.append(dict(point, skipped='time budget spent'))
                continue
            if need > free_bytes(device) - (4 << 30):
                results.append(dict(point, skipped=f'KV cache of {need / 2**30:.1f} GiB does not fit'))
                continue
            cache = model.new_cache(batch, context + 1)
            ids = torch.randint(0, cfg['vocab'], (batch,), generator=gen).to(device)

            def step():
                return model.decode(ids, context, cache)

            eager = point['eager'] = summary(clock.times_ms(step, reps=20, warmup=3))
            if device == 'cuda':
                point['cudaGraph'] = graph_times(clock, step, reps=30)
            results.append(point)
            graph_ms = point.get('cudaGraph', {}).get('medianMs')
            print(f'decode bs{batch:>3} ctx {context:>5}: eager {eager["medianMs"]:.2f} ms'
                  + (f', graph {graph_ms:.2f} ms' if graph_ms is not None else ''), flush=True)
            del cache
            if device == 'cuda':
                torch.cuda.empty_cache()


def main():
    args = parse_args()
    started = time.monotonic()
    deadline = started + args.budget_s
    device, dtype = args.device, torch.bfloat16
    cfg = TINY if args.tiny else LLAMA_8B
    clock = Clock(device)
    torch.manual_seed(0)
    gpu = None
    if device == 'cuda':
        props = torch.cuda.get_device_properties(0)
        gpu = dict(name=props.name, memoryGiB=round(props.total_memory / 2**30, 1),
                   multiprocessors=props.multi_processor_count, capability=f'{props.major}.{props.minor}')
    transformers_version = None
    try:
        import transformers
        transformers_version = transformers.__version__
    except ImportError:
        pass
    report = dict(
        schemaVersion=SCHEMA_VERSION,
        kind='agentload.gpu-eager-measurement',
        model='llama-3.1-8b' if not args.tiny else 'tiny-self-test',
        measuredAt=utc_now(),
        command=this_command(),
        gpu=gpu,
        software=dict(python=platform.python_version(), torch=torch.__version__,
                      cuda=torch.version.cuda, transformers=transformers_version,
                      sdpa=has_sdpa()),
        config=dict(cfg, dtype='bf16', ropeScaling=ROPE, weights=f'random normal(0, {INIT_STD})'),
        implementation='eager PyTorch: fused QKV and gate/up, F.scaled_dot_product_attention, '
                       'KV cache preallocated, LM head on the last prompt token; no fused or paged kernels',
        prefill=[], decode=[])
    slug = (gpu or {}).get('name', device).lower().replace(' ', '-')
    out_path = os.path.join(args.out, f'{report["model"]}_{slug}.eager.json')
    os.makedirs(args.out, exist_ok=True)
    mixed_points = [(2, 32, 16), (4, 32, 48)] if args.tiny else MIXED_POINTS
    if args.mixed_only is not None:
        return add_mixed(args, cfg, clock, device, dtype, gpu, started, deadline, mixed_points)

    def save():
        report['elapsedSec'] = round(time.monotonic() - started, 1)
        write_json(out_path, report)

    with torch.no_grad():  # for everything below, the transformers check included
        report['ceilings'] = measure_ceilings(clock, device)
        print('ceilings:', report['ceilings'], flush=True)
        save()
        hf_model, weights, inv_freq = None, None, None
        if args.skip_hf or transformers_version is None:
            report['transformersCheck'] = dict(skipped='--skip-hf' if args.skip_hf else 'transformers not installed')
        else:
            try:
                hf_model, weights, inv_freq = build_hf(cfg, device, dtype)
            except Exception as e:  # the check is optional: record why and go on with random weights
                report['transformersCheck'] = dict(error=f'{type(e).__name__}: {e}'[:500])
        model = Llama(cfg, device, dtype, weights=weights, inv_freq=inv_freq)
        report['paramsB'] = round(model.param_count() / 1e9, 4)
        report['selfCheck'] = self_check(model, cfg, device)
        print('self check:', report['selfCheck'], flush=True)
        if inv_freq is not None:
            ours = llama3_inv_freq(cfg['head_dim'], device)
            report['ropeInvFreqMaxRelDiff'] = float(((inv_freq.float() - ours).abs() / ours).max().item())
        if hf_model is not None:
            check = report['transformersCheck'] = {}
            try:
                hf_check_and_time(hf_model, model, cfg, clock, device, args, started + args.budget_s * 0.35, check)
            except Exception as e:  # keep what was measured before the failure
                check['error'] = f'{type(e).__name__}: {e}'[:500]
            # Our weights share storage with the state dict except the fused ones: drop the rest.
            del hf_model
            if device == 'cuda':
                torch.cuda.empty_cache()
        print('transformers check:', report['transformersCheck'], flush=True)
        save()
        measure_prefill(model, cfg, clock, device, args, deadline, report['prefill'])
        save()
        measure_decode(model, cfg, clock, device, args, deadline, report['decode'])
        save()
        report['mixed'] = []
        measure_mixed(model, cfg, clock, device, deadline, report['mixed'], mixed_points)
        save()
    print(f'wrote {out_path} in {report["elapsedSec"]} s', flush=True)


def add_mixed(args, cfg, clock, device, dtype, gpu, started, deadline, points):
    """--mixed-only: the earlier file's figures stay; its mixed steps are (re)measured here."""
    with open(args.mixed_only) as f:
        report = json.load(f)
    if (report.get('gpu') or {}).get('name') != (gpu or {}).get('name'):
        sys.exit(f'--mixed-only: {args.mixed_only} was measured on {(report.get("gpu") or {}).get("name")!r}, '
                 f'this is {(gpu or {}).get("name")!r}; run it on the same GPU or do a full run')
    out_path = os.path.join(args.out, os.path.basename(args.mixed_only))
    with torch.no_grad():
        model = Llama(cfg, device, dtype)
        check = self_check(model, cfg, device)
        report['selfCheck']['mixedVsPartsCosine'] = check['mixedVsPartsCosine']
        print('self check:', check, flush=True)
        report['mixed'] = []
        report['mixedMeasured'] = dict(at=utc_now(), command=this_command(), torch=torch.__version__)
        measure_mixed(model, cfg, clock, device, deadline, report['mixed'], points)
    report['mixedMeasured']['elapsedSec'] = round(time.monotonic() - started, 1)
    write_json(out_path, report)
    print(f'wrote {out_path} in {report["mixedMeasured"]["elapsedSec"]} s', flush=True)


if __name__ == '__main__':
    main()
