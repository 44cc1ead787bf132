# Writes block-reference.txt: reference decodings of random blocks for llmopt's codec tests.
# Run from anywhere (needs numpy, llama.cpp's gguf-py and the shared folder's scripts/quantize_np.py):
#   PYTHONPATH=<llama.cpp>/gguf-py:<stub dir with a dummy sentencepiece.py> \
#     python3 make_block_reference.py <shared>/scripts > block-reference.txt
# Not part of the build; the output is committed.
import sys, struct
import numpy as np
from gguf import quants, GGMLQuantizationType as T, GGML_QUANT_SIZES

sys.path.insert(0, sys.argv[1])
import quantize_np  # the shared folder's Q8_0/Q4_0 quantizer, byte-identical to llama-quantize b4747

rng = np.random.default_rng(20261122)
out = []
out.append('# Reference data for llmopt codec tests, one record per line group: "<kind> <TYPE>", "bytes <hex>", values/input lines.')
out.append('# dequant: bytes = random blocks (fp16 scale fields set to random finite values), values = gguf-py dequantize().')
out.append('# quant:   input = float32 values (hex bits), bytes = reference quantization.')
out.append('# Produced by make_block_reference.py with llama.cpp b4747 (commit c392e5094deaf2d1a7c18683214f007fad3fe42b) gguf-py,')
out.append('# numpy ' + np.__version__ + ', and shared/scripts/quantize_np.py (for the Q4_0/Q8_0 quant records).')
out.append('# Q8_1 and Q8_K have no gguf-py implementation: their values are d*q computed here from ggml-common.h block layouts.')

def f32hex(a):
    return ' '.join('%08x' % v for v in np.asarray(a, np.float32).view(np.uint32))

def fp16_bytes(v):
    return np.float16(v).tobytes()

# byte offsets of fp16 fields per block (set to sane random values so no NaN/Inf decodes)
FP16_FIELDS = {'Q4_0': [0], 'Q4_1': [0, 2], 'Q5_0': [0], 'Q5_1': [0, 2], 'Q8_0': [0], 'Q8_1': [0, 2],
               'Q2_K': [80, 82], 'Q3_K': [108], 'Q4_K': [0, 2], 'Q5_K': [0, 2], 'Q6_K': [208]}

def random_blocks(name, nblocks):
    bs, ts = GGML_QUANT_SIZES[T[name]]
    raw = bytearray(rng.integers(0, 256, size=nblocks * ts, dtype=np.uint8).tobytes())
    for b in range(nblocks):
        for off in FP16_FIELDS.get(name, []):
            raw[b * ts + off: b * ts + off + 2] = fp16_bytes(rng.normal(0, 0.05))
    return bytes(raw)

for name, nblocks in [('Q4_0', 4), ('Q4_1', 4), ('Q5_0', 4), ('Q5_1', 4), ('Q8_0', 4),
                      ('Q2_K', 2), ('Q3_K', 2), ('Q4_K', 2), ('Q5_K', 2), ('Q6_K', 2)]:
    raw = random_blocks(name, nblocks)
    vals = quants.dequantize(np.frombuffer(raw, np.uint8), T[name])
    out.append('dequant ' + name)
    out.append('bytes ' + raw.hex())
    out.append('values ' + f32hex(vals))

# Q8_1: fp16 d, fp16 s, 32 x int8 ; Q8_K: float32 d, 256 x int8, 16 x int16 bsums
for name, nblocks in [('Q8_1', 3), ('Q8_K', 2)]:
    raw = b''; vals = []
    for b in range(nblocks):
        q = rng.integers(-128, 128, size=32 if name == 'Q8_1' else 256).astype(np.int8)
        if name == 'Q8_1':
            d = np.float16(rng.normal(0, 0.05)); s = np.float16(float(d) * int(q.astype(np.int32).sum()))
            raw += d.tobytes() + s.tobytes() + q.tobytes()
            vals.append(q.astype(np.float32) * np.float32(d))
        else:
            d = np.float32(rng.normal(0, 0.05)); bsums = q.astype(np.int16).reshape(16, 16).sum(1).astype('<i2')
            raw += d.tobytes() + q.tobytes() + bsums.tobytes()
            vals.append(np.float32(d) * q.astype(np.float32))
    out.append('dequant ' + name)
    out.append('bytes ' + raw.hex())
    out.append('values ' + f32hex(np.concatenate(vals)))

# quantization references: awkward inputs (ties, zero block, sign of the max, tiny/huge scales)
def awkward_inputs():
    blocks = [rng.normal(0, 1, 32), rng.normal(0, 0.02, 32), np.zeros(32), rng.uniform(-1, 1, 32) * 1e-6,
              rng.normal(0, 1e4, 32)]
    b = rng.normal(0, 1, 32); b[7] = 3.0; b[20] = -3.0; blocks.append(b)          # equal magnitudes, opposite signs
    b = rng.normal(0, 1, 32); b[3] = -5.0; blocks.append(b)                       # negative max
    b = np.arange(-16, 16, dtype=np.float64) / 16 * 8; blocks.append(b)           # exact grid points
    b = (np.arange(32) - 15.5) / 127 * 4; blocks.append(b)                        # Q8_0 x/d near .5 ties
    b = np.full(32, 0.25); b[0] = -1; blocks.append(b)
    return np.concatenate(blocks).astype(np.float32)

x = awkward_inputs()
for name, fn in [('Q8_0', quantize_np.q8_0), ('Q4_0', quantize_np.q4_0)]:
    out.append('quant ' + name)
    out.append('input ' + f32hex(x))
    out.append('bytes ' + fn(x).hex())
    if name == 'Q8_0':  # gguf-py's Q8_0 quantizer is documented bit-exact with ggml's reference: check the two agree
        assert quants.quantize(x.reshape(1, -1), T.Q8_0).tobytes() == fn(x)

print('\n'.join(out))
