package io.llmopt.tokenizer.jinja;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Python jinja2 semantics that chat templates depend on (expected values checked against jinja2 3.1.6). */
class JinjaTemplateTest {
    private static String render(String template, Map<String, ?> vars) {
        return JinjaTemplate.parse(template).render(vars);
    }

    private static String render(String template) {
        return render(template, Map.of());
    }

    @Test
    void whitespaceControlTrimAndLstripBlocks() {
        assertThat(render("a   {{- 'b' -}}   c")).isEqualTo("abc");
        assertThat(render("{% if true %}\n  x\n{% endif %}\ny")).isEqualTo("  x\ny");
        assertThat(render("  {% if true %}x{% endif %}")).isEqualTo("x");
        assertThat(render("a  {% if true %}x{% endif %}")).as("lstrip only at line start").isEqualTo("a  x");
        assertThat(render("{# c #}\nz")).isEqualTo("z");
        assertThat(render("  {%+ if true %}x{% endif +%}\n")).isEqualTo("  x\n");
    }

    @Test
    void slicingIndexingAndStringMethods() {
        Map<String, Object> vars = Map.of("m", List.of(1, 2, 3, 4));
        assertThat(render("{{ m[::-1] }}|{{ m[1:3] }}|{{ m[-1] }}|{{ m[:-2] }}", vars)).isEqualTo("[4, 3, 2, 1]|[2, 3]|4|[1, 2]");
        assertThat(render("{{ 'a</think>\\n\\nb'.split('</think>')[-1].lstrip('\\n') }}")).isEqualTo("b");
        assertThat(render("{{ ' x '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ 'a b  c'.split() }}")).isEqualTo("x|a|['a', 'b', 'c']");
        assertThat(render("{{ 'abc'.startswith('a') }}{{ 'abc'.endswith(('x', 'c')) }}{{ 'Hi'.upper() }}")).isEqualTo("TrueTrueHI");
        assertThat(render("{{ 'hello'[1:] }}{{ 'hello'[::-1] }}")).isEqualTo("ellooll" + "eh");
    }

    @Test
    void namespaceLoopsAndScoping() {
        String t = "{% set ns = namespace(n=0, last=none) %}{% set x = 1 %}{% for i in range(5) %}{% set x = 9 %}"
                + "{% if i == 3 %}{% break %}{% endif %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }} {{ x }}";
        assertThat(render(t)).isEqualTo("3 1");
        assertThat(render("{% for k, v in d.items() %}{{ loop.index }}{{ k }}={{ v }}{% if not loop.last %},{% endif %}{% endfor %}",
                Map.of("d", Map.of("a", 1)))).isEqualTo("1a=1");
        assertThat(render("{% for x in [] %}a{% else %}empty{% endfor %}")).isEqualTo("empty");
        assertThat(render("{% for x in [1,2,3,4] if x is even %}{{ x }}{{ loop.length }}{% endfor %}")).isEqualTo("2242");
    }

    @Test
    void pythonReprAndTojson() {
        Map<String, Object> vars = Map.of("v", Map.of("a", List.of(1, 2.5, true), "b", "é\"\n"));
        assertThat(render("{{ v | tojson }}", vars)).isIn("{\"a\": [1, 2.5, true], \"b\": \"é\\\"\\n\"}",
                "{\"b\": \"é\\\"\\n\", \"a\": [1, 2.5, true]}");
        assertThat(render("{{ [1, 'a', none, true, 1.0] }}")).isEqualTo("[1, 'a', None, True, 1.0]");
        assertThat(render("{{ {'k': [1]} | tojson(indent=2) }}")).isEqualTo("{\n  \"k\": [\n    1\n  ]\n}");
        assertThat(render("{{ none }}|{{ undefined_thing }}|{{ 7 // 2 }}|{{ 7 / 2 }}|{{ 2 ** 10 }}")).isEqualTo("None||3|3.5|1024");
    }

    @Test
    void filtersAndTests() {
        assertThat(render("{{ '  a  ' | trim }}|{{ [3,1] | length }}|{{ ['a','b'] | join(', ') }}|{{ 'X' | lower }}"))
                .isEqualTo("a|2|a, b|x");
        assertThat(render("{{ msgs | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }}",
                Map.of("msgs", List.of(Map.of("role", "user", "content", "hi"), Map.of("role", "system", "content", "s")))))
                .isEqualTo("['hi']");
        assertThat(render("{{ x is defined }}{{ y is none }}{{ 'a' is string }}{{ {} is mapping }}{{ 3 is not number }}",
                java.util.Collections.singletonMap("x", 1))).isEqualTo("TrueFalseTrueTrueFalse");
        assertThat(render("{{ 'line1\\nline2' | indent(2) }}")).isEqualTo("line1\n  line2");
        assertThat(render("{{ u | default('d') }}{{ '' | default('e', true) }}")).isEqualTo("de");
    }

    @Test
    void markupConcatenationEscapesPlainStrings() {
        assertThat(render("{{ 'a'|safe + '<\"b\">' }}")).isEqualTo("a&lt;&#34;b&#34;&gt;");
        assertThat(render("{{ 'a' + '<b>' }}")).isEqualTo("a<b>");
    }

    @Test
    void macrosAndSetBlocks() {
        assertThat(render("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bo') }} {{ greet('Al', punct='?') }}"))
                .isEqualTo("Hi Bo! Hi Al?");
        assertThat(render("{% set x %}in{{ 1 }}{% endset %}[{{ x }}]")).isEqualTo("[in1]");
        assertThat(render("{% filter upper %}abc{% endfilter %}")).isEqualTo("ABC");
    }

    @Test
    void errorsNameTheLine() {
        assertThatThrownBy(() -> render("a\n{{ raise_exception('bad role') }}")).isInstanceOf(JinjaException.class)
                .hasMessage("chat template raised an exception: bad role");
        assertThatThrownBy(() -> JinjaTemplate.parse("x\n{% if a %}")).isInstanceOf(JinjaException.class)
                .hasMessage("chat template line 2: missing {% endif %}");
        assertThatThrownBy(() -> render("{{ 'a' + 1 }}")).isInstanceOf(JinjaException.class)
                .hasMessage("chat template line 1: unsupported operand types for +: 'str' and 'int'");
        assertThatThrownBy(() -> render("{{ x | nosuchfilter }}")).isInstanceOf(JinjaException.class)
                .hasMessage("chat template line 1: unknown filter 'nosuchfilter'");
    }
}
