# Regenerates jinja2_renders.json: every ../shared/chat-templates/*.jinja rendered by Python jinja2 with HF
# transformers' chat-template environment, for 3 conversations x add_generation_prompt x with/without tools.
# strftime_now is pinned to 2024-07-26 so the file is reproducible. Run from the repository root:
#   python3 llmopt-tokenizer/src/test/resources/io/llmopt/tokenizer/jinja2/make_jinja2_renders.py ../shared
# (made with Python 3.11, jinja2 3.1.6)
import datetime, glob, json, os, sys
import jinja2, jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

shared = sys.argv[1]
def raise_exception(msg): raise jinja2.exceptions.TemplateError(msg)
env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
env.filters['tojson'] = lambda x, indent=None, ensure_ascii=False, separators=None, sort_keys=False: json.dumps(
    x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)
env.globals['raise_exception'] = raise_exception
env.globals['strftime_now'] = lambda f: datetime.datetime(2024, 7, 26).strftime(f)
conversations = {
    'sys_user_asst': [{'role': 'system', 'content': 'You are a helpful assistant.'},
                      {'role': 'user', 'content': 'What is the capital of France?'},
                      {'role': 'assistant', 'content': 'The capital of France is Paris.'}],
    'user_only': [{'role': 'user', 'content': 'Hi there!\nHow are you?'}],
    'multi': [{'role': 'user', 'content': ' hello '}, {'role': 'assistant', 'content': '<think>\nhmm\n</think>\n\nhey'},
              {'role': 'user', 'content': 'bye "now" \u00e9 \U0001F999'}],
}
tools = [{"type": "function", "function": {"name": "get_weather", "description": "Get the weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string", "description": "City name"}, "days": {"type": "integer"}},
    "required": ["city"]}}}]
out = {'renderer': f'python jinja2 {jinja2.__version__}', 'conversations': conversations, 'tools': tools, 'renders': {}}
for path in sorted(glob.glob(os.path.join(shared, 'chat-templates', '*.jinja'))):
    source = open(path, encoding='utf-8').read()
    for name, conversation in conversations.items():
        for add_generation_prompt in (False, True):
            for with_tools in (False, True):
                key = f'{os.path.basename(path)}|{name}|{add_generation_prompt}|{with_tools}'
                kw = dict(messages=conversation, add_generation_prompt=add_generation_prompt, bos_token='<s>', eos_token='</s>')
                if with_tools:
                    kw['tools'] = tools
                try:
                    out['renders'][key] = {'ok': env.from_string(source).render(**kw)}
                except Exception as e:
                    out['renders'][key] = {'error': type(e).__name__ + ': ' + str(e)}
json.dump(out, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'jinja2_renders.json'), 'w', encoding='utf-8'),
          ensure_ascii=False, indent=0)
