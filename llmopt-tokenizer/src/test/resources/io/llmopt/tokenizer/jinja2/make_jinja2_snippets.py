# Regenerates jinja2_snippets.json: small templates, each exercising one construct of ChatTemplate's Jinjava
# compatibility layer (rewrites, filters, functions, Python methods, whitespace control), rendered by Python jinja2
# with HF transformers' chat-template environment (the same as make_jinja2_renders.py), and shared templates that
# raise in jinja2_renders.json rendered with the variables they need. Run from the repository root:
#   python3 llmopt-tokenizer/src/test/resources/io/llmopt/tokenizer/jinja2/make_jinja2_snippets.py ../shared
# (made with Python 3.11, jinja2 3.1.6)
import datetime, json, os, sys
import jinja2, jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

def raise_exception(msg): raise jinja2.exceptions.TemplateError(msg)
env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
env.filters['tojson'] = lambda x, indent=None, ensure_ascii=False, separators=None, sort_keys=False: json.dumps(
    x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)
env.globals['raise_exception'] = raise_exception
env.globals['strftime_now'] = lambda f: datetime.datetime(2024, 7, 26).strftime(f)

variables = {
    'xs': [1, 2, 3, 4, 5],
    's': 'abc\u00e9\U0001F999',
    'messages': [{'role': 'system', 'content': ' sys '}, {'role': 'user', 'content': 'hi'},
                 {'role': 'assistant', 'content': '<think>\nhmm\n</think>\n\nhey'}],
    'd': {'name': 'get_weather', 'quote': 'say "hi"\n', 'emoji': '\U0001F999 \u00e9', 'f': 1.0, 'g': 1.5,
          'big': 1e20, 'n': None, 't': True, 'list': [1, 'a', {'k': []}], 'empty': {}},
}
snippets = {
    # extended slices (rewrite to __py_slice)
    'slice_reverse': '{{ xs[::-1]|join(",") }}',
    'slice_step': '{{ xs[::2]|join(",") }}|{{ xs[1::2]|join(",") }}|{{ xs[-2::-1]|join(",") }}|{{ xs[:1:-1]|join(",") }}|{{ xs[10:0:-2]|join(",") }}',
    'slice_string': '{{ s[::-1] }}|{{ "hello"[::2] }}',
    'slice_nested': '{{ xs[::-1][::2]|join(",") }}|{{ (xs|list)[::-1][0] }}|{{ messages[::-1][0].role }}',
    'slice_for_loop': '{% for m in messages[::-1] %}{{ loop.index0 }}{{ m.role }};{% endfor %}',
    'slice_untouched_text_and_strings': 'xs[::-1] {{ "xs[::-1]" }} {# xs[::-1] #}{{ xs[1:3]|join(",") }}{{ xs[:-1]|join(",") }}',
    # keyword-argument values (rewrite to name=(value))
    'kwarg_namespace': '{% set ns = namespace(a=xs|length - 1, b="x" ~ "y", c=1 + 2 * 3, e=xs[0]) %}{{ ns.a }} {{ ns.b }} {{ ns.c }} {{ ns.e }}',
    'kwarg_namespace_update': '{% set ns = namespace(last=messages|length - 1, found=false) %}{% for m in messages %}{% if m.role == "user" %}{% set ns.found = true %}{% set ns.last = loop.index0 %}{% endif %}{% endfor %}{{ ns.last }} {{ ns.found }}',
    'kwarg_macro_call': '{% macro f(a, b=2) %}{{ a }}-{{ b }}{% endmacro %}{{ f(1) }} {{ f(1, b=xs|length + 1) }}',
    'kwarg_filter': '{{ d.list|tojson(indent=1 + 1) }}',
    # filter sections (FilterBlockTag)
    'filter_block_trim': '[{% filter trim %}  hi there \n {% endfilter %}]',
    'filter_block_upper_scope': '{% filter upper %}ab{% set z = 1 %}{{ z }}{% endfilter %}{{ z is defined }}',
    'filter_block_in_set': '{%- set p -%}\n{%- filter trim -%}\n  text\n\n{%- endfilter -%}\n{%- endset -%}[{{ p }}]',
    # trim filter
    'trim_filter': '[{{ missing|trim }}][{{ "  a \n"|trim }}][{{ "xxaxx"|trim("x") }}][{{ d.nothing|trim }}]',
    # Python str methods (PythonMethodResolver)
    'str_strip': '[{{ " a ".strip() }}][{{ "\na\n".lstrip() }}][{{ "a\n\n".rstrip("\n") }}][{{ "xyax".strip("xy") }}]',
    'str_affix': '{{ "<tool>x".startswith("<tool>") }} {{ "abc".endswith("bc") }} {{ "abc".startswith("b") }}',
    'str_split': '{{ "a  b c".split()|join("|") }};{{ "a,b,,c".split(",")|join("|") }};{{ "a b c".split(" ", 1)|join("|") }};{{ messages[2].content.split("</think>")[-1].lstrip("\n") }}',
    'str_case_replace': '{{ "AbC".lower() }} {{ "AbC".upper() }} {{ "aXa".replace("a", "b") }}',
    # Python dict methods
    'dict_get': '[{{ d.get("name") }}][{{ d.get("missing", "dflt") }}][{{ d.get("missing") is none }}]',
    'dict_items': '{% for k, v in d.list[2].items() %}{{ k }}={{ v|length }}{% endfor %};{{ d.empty.keys()|list|length }}',
    'items_filter': '{% for k, v in {"a": 1, "b": "x"}|items %}{{ k }}={{ v }};{% endfor %}',
    # tojson as HF defines it
    'tojson_default': '{{ d|tojson }}',
    'tojson_indent': '{{ d|tojson(indent=4) }}',
    'tojson_sort_keys': '{{ {"b": 1, "a": [true, none]}|tojson(sort_keys=true) }}',
    'tojson_separators': '{{ {"b": 1, "a": [1, 2]}|tojson(separators=(",", ":")) }}',
    # functions
    'raise_exception': '{% if messages[0].role == "system" %}{{ raise_exception("System role not supported") }}{% endif %}',
    'strftime_now': '{{ strftime_now("%d %b %Y") }}|{{ strftime_now("%Y-%m-%d") }}|{{ strftime_now("%B %d, %Y") }}',
    # whitespace control, trim_blocks, lstrip_blocks
    'ws_dash': '[ {%- if true -%}  a  {%- endif -%} ]{{- " x " -}} [ {{- "y" }} ]',
    'ws_trim_blocks': '{% if true %}\nA\n{% endif %}\nB\n',
    'ws_lstrip_blocks': '  {% if true %}\n  A\n  {% endif %}\nB\n    {# c #}\nC',
    'ws_comment_dash': 'a  {#- c -#}  b',
    'ws_text_before_tag_midline': 'a  {% if true %}b{% endif %}',
    # loop controls and loop variables
    'loop_controls': '{% for i in xs %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}',
    'loop_vars': '{% for m in messages %}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex0 }};{% endfor %}',
    # operators, precedence, tests
    'precedence': '{{ not missing is defined }} {{ not xs is defined }} {{ 1 + 2 * 3 }} {{ xs|length - 1 }} {{ "a" ~ 1 ~ "b" }}',
    'not_over_comparison': '{{ not 2 in xs }} {{ not "a" == "b" }} {{ not xs|length == 5 }} {% if not messages[0].role in ["user"] and not missing is defined %}Y{% endif %} {{ 1 if not xs[0] + 1 == 2 else 0 }} {{ not (1 == 1) }} {{ d.n is not none }} {{ 7 not in xs }}',
    'membership': '{{ "a" in "cat" }} {{ 2 in xs }} {{ "name" in d }} {{ "zz" not in d }}',
    'tests': '{{ "a" is string }} {{ d is mapping }} {{ xs is iterable }} {{ d.n is none }} {{ 1.5 is float }} {{ d.t is true }}',
    'printing': '[{{ true }}][{{ false }}][{{ 1.0 }}][{{ xs }}][{{ missing }}][{{ d.t|string }}]',
    'repr_of_containers': '{{ xs[::-1] }}|{{ "a b  c".split() }}|{{ [1, "a", none, true, 1.0] }}|{{ {"k": [1, "x"]} }}|{{ [1, "it\'s"]|string }}',
    'tuple_affix': '{{ "abc".endswith(("x", "c")) }}{{ "Hi".upper() }}{{ "hello"[1:] }}',
    'loop_scoping': '{% set ns = namespace(n=0) %}{% set x = 1 %}{% for i in range(5) %}{% set x = 9 %}{% if i == 3 %}{% break %}{% endif %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }} {{ x }}',
    'for_else_and_filter': '{% for x in [] %}a{% else %}empty{% endfor %}|{% for x in [1, 2, 3, 4] if x is even %}{{ x }}{{ loop.length }}{% endfor %}',
    'for_over_string': '{% for c in "ab\u00e9" %}{{ c }}.{% endfor %}',
    'loop_prev_next': '{% for m in messages %}{{ loop.previtem.role if loop.previtem else "-" }}>{{ m.role }}>{{ loop.nextitem.role if loop.nextitem is defined else "-" }};{% endfor %}',
    'arithmetic': '{{ 7 // 2 }}|{{ 7 / 2 }}|{{ 2 ** 10 }}|{{ 7 % 3 }}|{{ -3 + 1 }}',
    'select_map': '{{ messages|selectattr("role", "equalto", "user")|map(attribute="content")|list }}|{{ messages|map(attribute="role")|join(",") }}|{{ messages|rejectattr("role", "equalto", "system")|list|length }}',
    'more_filters': '{{ [3, 1]|length }}|{{ ["a", "b"]|join(", ") }}|{{ "X"|lower }}|{{ "line1\nline2\n\nline3"|indent(2) }}|{{ "a\nb"|indent(2, true) }}|{{ u|default("d") }}{{ ""|default("e", true) }}|{{ 3 is not number }}|{{ xs|first }}{{ xs|last }}|{{ ["b", "a"]|sort|join }}|{{ [1, 1, 2]|unique|list|length }}',
    'macro_set_block_filter_block': '{% macro greet(name, punct="!") %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet("Bo") }} {{ greet("Al", punct="?") }}|{% set x %}in{{ 1 }}{% endset %}[{{ x }}]|{% filter upper %}abc{% endfilter %}',
    'lstrip_plus_modifier': '  {%+ if true %}x{% endif +%}\n',
    'unknown_filter': '{{ xs|nosuchfilter }}',
    'no_nested_rendering': '{{ "{{ 1 + 1 }}" }}{{ messages[1].content ~ "{% if true %}x{% endif %}" }}',
    'el_keyword_attributes': '{{ {"empty": 1, "div": 2, "eq": 3}.empty }}{% set o = {"lt": "a", "not": "b"} %}{{ o.lt ~ o.not }}',
    'crlf_and_trailing_newline': 'a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc\n',
}
# Constructs where Jinjava + the compatibility layer knowingly differ from jinja2 (ChatTemplateCompatibilityTest
# asserts that they still differ, so the list stays true).
known_differences = {
    'none_printing': '[{{ none }}][{{ d.n }}]',
    'concat_undefined': '{{ "a" + missing }}',
    'concat_none': '{{ "a" + d.n }}',
    'markup_concat': '{{ "<b>"|safe + "<i>" }}',
    'tilde_boolean': '{{ "a" ~ true }}',
    'map_is_a_generator': '{{ xs|map("string")|tojson }}',
    'concat_number': '{{ "a" + 1 }}',
    'text_after_break_in_if': '{% for x in xs %}{% if x == 2 %}{% break %}AFTER{% endif %}{{ x }}{% endfor %}',
}
# Shared templates that raise in jinja2_renders.json (an undefined variable or field concatenated with +), rendered
# with what they need, so that the rest of their logic is compared too.
conversation = [{'role': 'system', 'content': 'You are a helpful assistant.'},
                {'role': 'user', 'content': 'What is the capital of France?'},
                {'role': 'assistant', 'content': 'The capital of France is Paris.'}]
described_tools = [{"type": "function", "function": {"name": "get_weather", "description": "Get the weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string", "description": "City name"},
                                     "days": {"type": "integer", "description": "Days ahead"}}, "required": ["city"]}}}]
templates = {
    'firefunction_with_functions': ('fireworks-ai-llama-3-firefunction-v2.jinja',
        dict(messages=conversation, add_generation_prompt=True, bos_token='<s>', eos_token='</s>',
             functions=json.dumps(described_tools), datetime='2024-07-26')),
    'command_r_plus_with_described_tools': ('CohereForAI-c4ai-command-r-plus-tool_use.jinja',
        dict(messages=conversation, add_generation_prompt=True, bos_token='<s>', eos_token='</s>', tools=described_tools)),
}
# Every shared template on a conversation with a tool call and a tool result (messages as HF passes them: the tool
# call's arguments as a dict, the calling turn's content empty), and again with the arguments as a JSON string, which
# some templates (functionary) expect.
tool_conversation = [
    {'role': 'system', 'content': 'You are a helpful assistant.'},
    {'role': 'user', 'content': "What's the weather in Paris?"},
    {'role': 'assistant', 'content': '', 'tool_calls': [{'id': 'abc123xyz', 'type': 'function',
        'function': {'name': 'get_weather', 'arguments': {'city': 'Paris', 'days': 1}}}]},
    {'role': 'tool', 'name': 'get_weather', 'tool_call_id': 'abc123xyz', 'content': '{"temperature": 21}'},
    {'role': 'assistant', 'content': 'It is 21 degrees in Paris.'},
]
string_arguments = json.loads(json.dumps(tool_conversation))
string_arguments[2]['tool_calls'][0]['function']['arguments'] = json.dumps({'city': 'Paris', 'days': 1})
for path in sorted(os.listdir(os.path.join(sys.argv[1], 'chat-templates'))):
    if path.endswith('.jinja'):
        for variant, conversation_ in (('tool_call', tool_conversation), ('tool_call_string_arguments', string_arguments)):
            templates[variant + '|' + path] = (path, dict(messages=conversation_, add_generation_prompt=False,
                                                          bos_token='<s>', eos_token='</s>', tools=described_tools))
out = {'renderer': f'python jinja2 {jinja2.__version__}', 'variables': variables, 'snippets': {}, 'known_differences': {}}
for group, items in (('snippets', snippets), ('known_differences', known_differences)):
    for name, source in items.items():
        try:
            out[group][name] = {'template': source, 'ok': env.from_string(source).render(**variables)}
        except Exception as e:
            out[group][name] = {'template': source, 'error': type(e).__name__ + ': ' + str(e)}
out['templates'] = {}
for name, (file, kw) in templates.items():
    source = open(os.path.join(sys.argv[1], 'chat-templates', file), encoding='utf-8').read()
    try:
        out['templates'][name] = {'file': file, 'variables': kw, 'ok': env.from_string(source).render(**kw)}
    except Exception as e:
        out['templates'][name] = {'file': file, 'variables': kw, 'error': type(e).__name__ + ': ' + str(e)}
json.dump(out, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'jinja2_snippets.json'), 'w', encoding='utf-8'),
          ensure_ascii=False, indent=1)
