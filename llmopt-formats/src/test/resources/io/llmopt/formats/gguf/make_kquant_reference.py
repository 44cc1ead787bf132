# Writes kquant-reference.json: llama.cpp's own (gguf-py) dequantization of selected tensors of the shared
# quantized GGUF files, summarised (sum, sum of squares, 16 values at fixed indices) for llmopt's tests.
# Usage (not part of the build; the output is committed):
#   PYTHONPATH=<llama.cpp b4747>/gguf-py:<dir with a stub sentencepiece.py> \
#     python3 make_kquant_reference.py <shared folder> > kquant-reference.json
import sys, json
import numpy as np
from gguf import GGUFReader, quants

shared = sys.argv[1]
FILES = ['models/ref-tinystories/ref-tinystories-' + s + '.gguf' for s in
         ['Q2_K', 'Q2_K-imat', 'Q3_K_M', 'Q3_K_M-imat', 'Q4_K_M', 'Q4_K_M-imat', 'Q4_K-pure', 'Q5_K_M', 'Q6_K',
          'Q4_0', 'Q4_0-pure', 'Q8_0']] + \
        ['models/stories260K/stories260K-Q8_0.gguf', 'models/stories260K/stories260K-Q4_0.gguf',
         'models/llama2xs/llama2xs-Q8_0.gguf', 'models/llama2xs/llama2xs-Q4_0.gguf']

def indices(n):
    return sorted(set(i for i in [0, 1, 15, 16, 17, 31, 32, 127, 128, 255, 256, n // 3, n // 2 + 5, n - 257, n - 2, n - 1]
                      if 0 <= i < n))

def f32(v):  # shortest decimal that reads back as the same float32
    return float(str(np.float32(v)))

out = {
    'source': 'make_kquant_reference.py (beside this file) run as: PYTHONPATH=<llama.cpp>/gguf-py:<stub sentencepiece> '
              'python3 make_kquant_reference.py /work/shared > kquant-reference.json; llama.cpp b4747 '
              '(commit c392e5094deaf2d1a7c18683214f007fad3fe42b) gguf-py GGUFReader + gguf.quants.dequantize, numpy '
              + np.__version__ + '. sum and sum_sq are float64 sums of the float32 values (numpy pairwise order).',
    'files': [],
}
for rel in FILES:
    r = GGUFReader(shared + '/' + rel)
    by_type = {}
    for t in r.tensors:
        if t.tensor_type.name != 'F32':
            by_type.setdefault(t.tensor_type.name, []).append(t)
    chosen = []
    for ts in by_type.values():
        chosen += [ts[0]] if len(ts) == 1 else [ts[0], ts[-1]]
    entries = []
    for t in chosen:
        x = quants.dequantize(t.data, t.tensor_type).astype(np.float32).reshape(-1)
        idx = indices(x.size)
        entries.append({
            'name': t.name, 'type': t.tensor_type.name, 'ne': [int(d) for d in t.shape], 'count': int(x.size),
            'sum': float(x.astype(np.float64).sum()), 'sum_sq': float((x.astype(np.float64) ** 2).sum()),
            'indices': idx, 'values': [f32(x[i]) for i in idx],
        })
    out['files'].append({'file': rel, 'tensor_count': len(r.tensors), 'tensors': entries})
print(json.dumps(out, indent=1))
