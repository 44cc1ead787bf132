# Writes header-reference.json: what llama.cpp's gguf-py GGUFReader sees in every GGUF of the shared folder
# (version, counts, data offset, every metadata key with its type and a summary of its value, every tensor info).
# Usage (not part of the build; the output is committed):
#   PYTHONPATH=<llama.cpp b4747>/gguf-py:<dir with a stub sentencepiece.py> \
#     python3 make_header_reference.py <shared folder> > header-reference.json
import sys, json, glob, os
import numpy as np
from gguf import GGUFReader, GGUFValueType as V

shared = sys.argv[1]
paths = sorted(glob.glob(shared + '/models/**/*.gguf', recursive=True)) + \
        sorted(glob.glob(shared + '/tokenizers/llama.cpp-vocab/*.gguf'))

def scalar(t, part):
    if t == V.STRING:
        return bytes(part).decode('utf-8', errors='replace')
    v = part[0]
    if t in (V.FLOAT32, V.FLOAT64):
        return float(str(v)) if t == V.FLOAT32 else float(v)
    if t == V.BOOL:
        return bool(v)
    return int(v)

def summary(field):
    t = field.types[0]
    if t != V.ARRAY:
        return {'type': t.name, 'value': scalar(t, field.parts[field.data[0]])}
    et = field.types[1] if len(field.types) > 1 else None
    items = [field.parts[i] for i in field.data]
    out = {'type': 'ARRAY', 'element_type': et.name if et is not None else None, 'length': len(items)}
    if et == V.ARRAY:
        return out  # nested arrays do not occur in these files
    vals = [scalar(et, p) for p in items]
    if vals:
        out['first'] = vals[0]; out['last'] = vals[-1]
    if et == V.STRING:
        out['utf8_bytes'] = int(sum(len(bytes(p)) for p in items))
    elif et == V.BOOL:
        out['true_count'] = int(sum(vals))
    else:
        out['sum'] = float(np.sum(np.array(vals, dtype=np.float64)))
    return out

files = []
for p in paths:
    r = GGUFReader(p)
    keys = [k for k in r.fields if not k.startswith('GGUF.')]
    files.append({
        'file': os.path.relpath(p, shared),
        'version': int(r.fields['GGUF.version'].parts[-1][0]),
        'alignment': int(r.alignment), 'data_offset': int(r.data_offset), 'size': os.path.getsize(p),
        'metadata': [dict(key=k, **summary(r.fields[k])) for k in keys],
        'tensors': [[t.name, t.tensor_type.name, [int(d) for d in t.shape], int(t.data_offset - r.data_offset)] for t in r.tensors],
    })
print(json.dumps({
    'source': 'make_header_reference.py (beside this file) run as: PYTHONPATH=<llama.cpp>/gguf-py:<stub sentencepiece> '
              'python3 make_header_reference.py /work/shared > header-reference.json; llama.cpp b4747 '
              '(commit c392e5094deaf2d1a7c18683214f007fad3fe42b) gguf-py GGUFReader, numpy ' + np.__version__ +
              '. Strings decoded as UTF-8 with replacement; float32 values as their shortest decimal; '
              'tensor rows: [name, type, ne (ggml order), offset from the data section].',
    'files': files}, indent=None, separators=(',', ':')).replace('{"file"', '\n{"file"'))
