// Re-generates hf-expected.jsonl with the Hugging Face tokenizers library (node binding):
//   npm install tokenizers@0.23.2 && node hfcheck.js tokenizer.json cases.jsonl hf-expected.jsonl
// cases.jsonl holds one JSON string per line; each output line is {text, ids (with BOS), decoded (ids without BOS)}.
const { Tokenizer } = require('tokenizers');
const fs = require('fs');
(async () => {
  const tok = Tokenizer.fromFile(process.argv[2]);
  const cases = fs.readFileSync(process.argv[3], 'utf8').split('\n').filter(l => l.length).map(l => JSON.parse(l));
  const out = [];
  for (const text of cases) {
    const enc = await tok.encode(text, null, { addSpecialTokens: true });
    const ids = Array.from(enc.getIds());
    const decoded = await tok.decode(ids.slice(1), false);
    out.push(JSON.stringify({ text, ids, decoded }));
  }
  fs.writeFileSync(process.argv[4], out.join('\n') + '\n');
})();
