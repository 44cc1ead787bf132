package io.llmopt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The exact text of each source rewrite (their effect on renders is checked against jinja2 elsewhere). */
class ChatTemplateRewritesTest {

    @Test
    void newlinesAreNormalizedAndOneTrailingNewlineDropped() {
        assertThat(ChatTemplateRewrites.apply("a\r\nb\rc\n\n")).isEqualTo("a\nb\nc\n");
        assertThat(ChatTemplateRewrites.apply("a\n")).isEqualTo("a");
    }

    @Test
    void commentsBecomeEmptyBlocksKeepingTrimMarksAndLines() {
        assertThat(ChatTemplateRewrites.apply("a{# c #}b")).isEqualTo("a{% if false %}{% endif %}b");
        assertThat(ChatTemplateRewrites.apply("a{#- c\nd -#}b")).isEqualTo("a{%- if false %}\n{% endif -%}b");
    }

    @Test
    void midLineWhitespaceBeforeABlockIsKept() {
        assertThat(ChatTemplateRewrites.apply("a  {% if x %}b{% endif %}")).isEqualTo("a{{ \"  \" }}{% if x %}b{% endif %}");
        assertThat(ChatTemplateRewrites.apply("a\n  {% if x %}b{% endif %}")).as("alone on its line: lstrip applies")
                .isEqualTo("a\n  {% if x %}b{% endif %}");
        assertThat(ChatTemplateRewrites.apply("a  {%- if x %}b{% endif %}")).as("{%- trims anyway")
                .isEqualTo("a  {%- if x %}b{% endif %}");
        assertThat(ChatTemplateRewrites.apply("{{ x }}  {% if x %}{% endif %}")).isEqualTo("{{ x }}{{ \"  \" }}{% if x %}{% endif %}");
        assertThat(ChatTemplateRewrites.apply("  {%+ if x %}b{% endif +%}\nc"))
                .isEqualTo("{{ \"  \" }}{% if x %}b{% endif %}{{ \"\\n\" }}c");
    }

    @Test
    void extendedSlicesBecomePySliceFilters() {
        assertThat(ChatTemplateRewrites.apply("{% for m in messages[::-1] %}"))
                .isEqualTo("{% for m in (messages|__py_slice(none, none, -1)) %}");
        assertThat(ChatTemplateRewrites.apply("{{ a.b[1:x + 1:2][0] }}")).isEqualTo("{{ (a.b|__py_slice(1, x + 1, 2))[0] }}");
        assertThat(ChatTemplateRewrites.apply("{{ f(x)[::2][::-1] }}"))
                .isEqualTo("{{ ((f(x)|__py_slice(none, none, 2))|__py_slice(none, none, -1)) }}");
        assertThat(ChatTemplateRewrites.apply("{{ x[1:2] }} {{ '[::-1]' }} x[::-1]")).as("plain slices, strings, text")
                .isEqualTo("{{ x[1:2] }} {{ '[::-1]' }} x[::-1]");
    }

    @Test
    void reservedWordAttributesAreSubscripted() {
        assertThat(ChatTemplateRewrites.apply("{{ d.empty + d.div }}{{ 'x.empty' }}{{ d.emptyish }}"))
                .isEqualTo("{{ d[\"empty\"] + d[\"div\"] }}{{ 'x.empty' }}{{ d.emptyish }}");
    }

    @Test
    void notOverAComparisonIsParenthesized() {
        assertThat(ChatTemplateRewrites.apply("{%- if not name in required -%}"))
                .isEqualTo("{%- if not (name in required) -%}");
        assertThat(ChatTemplateRewrites.apply("{% if not a == b and not c %}")).isEqualTo("{% if not (a == b) and not c %}");
        assertThat(ChatTemplateRewrites.apply("{{ 1 if not x|length == 1 else 2 }}"))
                .isEqualTo("{{ 1 if not (x|length == 1) else 2 }}");
        assertThat(ChatTemplateRewrites.apply("{% if x is not none and y not in z and not t is defined %}")).as("unchanged")
                .isEqualTo("{% if x is not none and y not in z and not t is defined %}");
    }

    @Test
    void keywordArgumentValuesAreParenthesized() {
        assertThat(ChatTemplateRewrites.apply("{% set ns = namespace(a=x|length - 1, b=true, c='s') %}"))
                .isEqualTo("{% set ns = namespace(a=(x|length - 1), b=true, c='s') %}");
        assertThat(ChatTemplateRewrites.apply("{{ x|tojson(indent=2) }}{{ f(k=g(y=1 + 1)) }}"))
                .isEqualTo("{{ x|tojson(indent=2) }}{{ f(k=(g(y=(1 + 1)))) }}");
        assertThat(ChatTemplateRewrites.apply("{% macro m(a, b=1 + 1) %}{% endmacro %}")).as("macro signature untouched")
                .isEqualTo("{% macro m(a, b=1 + 1) %}{% endmacro %}");
        assertThat(ChatTemplateRewrites.apply("{% if a == b %}{% endif %}")).isEqualTo("{% if a == b %}{% endif %}");
    }

    @Test
    void rawBlocksAreLeftAlone() {
        assertThat(ChatTemplateRewrites.apply("{% raw %}{{ x[::-1] }}{# c #}{% endraw %}"))
                .isEqualTo("{% raw %}{{ x[::-1] }}{# c #}{% endraw %}");
    }
}
