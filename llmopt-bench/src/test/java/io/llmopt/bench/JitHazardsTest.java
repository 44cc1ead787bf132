package io.llmopt.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JitHazards on a compilation log in HotSpot's format (the elements a real -XX:+LogCompilation run writes). */
class JitHazardsTest {
    private static final String HEADER = """
            <klass id='10' name='io.llmopt.bench.JitHazards' flags='17'/>
            <klass id='11' name='jdk.incubator.vector.ShortVector' flags='1025'/>
            <klass id='12' name='jdk.incubator.vector.VectorOperators$Binary' flags='1537'/>
            <type id='13' name='void'/>
            <type id='14' name='int'/>
            <method id='20' holder='10' name='line' return='13' arguments='14' flags='8' bytes='300' iicount='10'/>
            <method id='21' holder='11' name='add' return='11' arguments='11' flags='17' bytes='9' iicount='10'/>
            <method id='22' holder='11' name='lanewise' return='11' arguments='12 11' flags='1025' bytes='0' iicount='1'/>
            <method id='23' holder='10' name='store' return='13' arguments='11 14' flags='10' bytes='40' iicount='10'/>
            <klass id='15' name='jdk.incubator.vector.Short512Vector' flags='16'/>
            <method id='24' holder='15' name='lanewise' return='15' arguments='12 11' flags='17' bytes='12' iicount='10'/>
            <method id='25' holder='15' name='length' return='14' flags='17' bytes='2' iicount='10'/>
            """;

    @Test
    void findsWrapperCallsLeftVirtualVectorHelpersNotInlinedAndFailedCompiles(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("jit.log");
        Files.writeString(log, "<task compile_id='1' method='io.llmopt.bench.JitHazards line (I)V' bytes='300' count='5'>\n" + HEADER + """
                <parse method='20' uses='5'>
                <bc code='182' bci='0'/>
                <call method='21' count='38' prof_factor='1' inline='1'/>
                <inline_success reason='force inline by annotation'/>
                <parse method='21' uses='5'>
                <bc code='182' bci='5'/>
                <call method='22' count='-1' prof_factor='0.7' virtual='1' inline='1'/>
                <inline_fail reason='virtual call'/>
                </parse>
                <bc code='184' bci='3'/>
                <call method='23' count='5' prof_factor='1' inline='1'/>
                <inline_fail reason='NodeCountInliningCutoff'/>
                <bc code='182' bci='8'/>
                <call method='22' count='900' prof_factor='1' virtual='1' inline='1' receiver='15' receiver_count='900'/>
                <call method='24' count='900' prof_factor='1' inline='1'/>
                <inline_success reason='force inline by annotation'/>
                <observe trap='class_check' count='0' mcount='0' ccount='112'/>
                <predicted_call bci='8' exact='1' klass='15'/>
                <virtual_call bci='8'/>
                <direct_call bci='8'/>
                <bc code='182' bci='11'/>
                <call method='25' count='900' prof_factor='1' inline='1'/>
                <inline_success reason='accessor'/>
                <predicted_call bci='11' exact='1' klass='15'/>
                <virtual_call bci='11'/>
                <direct_call bci='11'/>
                </parse>
                <late_inline method='21' inline_id='7'>
                <jvms bci='5' method='21'/>
                <jvms bci='14' method='20'/>
                </late_inline>
                <parse method='21' uses='5'>
                <bc code='182' bci='5'/>
                <call method='22' count='900' prof_factor='1' virtual='1' inline='1' receiver='15' receiver_count='900'/>
                <call method='24' count='900' prof_factor='1' inline='1'/>
                <inline_success reason='force inline by annotation'/>
                <predicted_call bci='5' exact='1' klass='15'/>
                <virtual_call bci='5'/>
                <direct_call bci='5'/>
                </parse>
                <task_done success='1' nmsize='100'/>
                </task>
                <task compile_id='2' method='io.llmopt.bench.JitHazards line (I)V' bytes='300' count='5' level='3'>
                """ + HEADER + """
                <parse method='20' uses='5'>
                <bc code='182' bci='0'/>
                <call method='22' count='-1' prof_factor='0.7' virtual='1' inline='1'/>
                <inline_fail reason='virtual call'/>
                </parse>
                <failure reason='out of virtual registers in linear scan'/>
                <task_done success='0' nmsize='0'/>
                </task>
                <task compile_id='3' method='io.llmopt.bench.JitHazards line (I)V' bytes='300' count='5' level='3'>
                <failure reason='stale task'/>
                </task>
                <task compile_id='4' method='io.llmopt.bench.JitHazards line (I)V' bytes='300' count='5' level='2'>
                <task_done success='1' nmsize='80'/>
                </task>
                """);
        Map<String, Integer> hazards = new TreeMap<>();
        Map<String, Integer> guarded = new TreeMap<>();
        Map<String, Integer> cutoffs = new TreeMap<>();
        Map<String, Integer> failures = new TreeMap<>();
        assertThat(JitHazards.scan(log, hazards, guarded, cutoffs, failures)).isEqualTo(4);

        String line = JitHazards.line("io.llmopt.bench.JitHazards", "line", 0);
        assertThat(line).matches("\\d+"); // a source line from the class file's line table
        // the C2 compile: the wrapper's virtual call and the vector-taking helper; the C1 compile's virtual call is not C2's
        assertThat(hazards).containsOnlyKeys(
                "JitHazards.line:" + line + ": jdk.incubator.vector.ShortVector.add → jdk.incubator.vector.ShortVector.lanewise",
                "JitHazards.line:" + JitHazards.line("io.llmopt.bench.JitHazards", "line", 3)
                        + ": io.llmopt.bench.JitHazards.store takes or returns a vector and was not inlined (NodeCountInliningCutoff)");
        // guarded calls with a virtual miss path that return a vector are listed apart; one that returns an int is not
        assertThat(guarded).containsOnly(
                entry("JitHazards.line:" + JitHazards.line("io.llmopt.bench.JitHazards", "line", 8) + ": jdk.incubator.vector.Short512Vector.lanewise", 1),
                // a late inline is parsed outside the method's parse: its site is the innermost llmopt frame of its call chain
                entry("JitHazards.line:" + JitHazards.line("io.llmopt.bench.JitHazards", "line", 14)
                        + ": jdk.incubator.vector.ShortVector.add → jdk.incubator.vector.Short512Vector.lanewise", 1));
        assertThat(cutoffs).hasSize(1);
        // a tier-2 compile exists: the tier-3 failure traps the method in C1 code, whatever C2 did before
        assertThat(failures).containsOnlyKeys("io.llmopt.bench.JitHazards.line (tier 3): out of virtual registers in linear scan");
    }

    @Test
    void aC1FailureIsHarmlessOnceC2HasCompiledTheMethodWithoutATier2Compile(@TempDir Path dir) throws IOException {
        String c1Failure = """
                <task compile_id='7' method='io.llmopt.bench.JitHazards line (I)V' bytes='300' count='5' osr_bci='40' level='3'>
                <failure reason='out of virtual registers in LIR generator'/>
                <task_done success='0' nmsize='0'/>
                </task>
                """;
        String c2Done = """
                <task compile_id='9' method='io.llmopt.bench.JitHazards line (I)V' bytes='300' count='5' osr_bci='40'>
                <task_done success='1' nmsize='900'/>
                </task>
                """;
        String c2Failed = """
                <task compile_id='9' method='io.llmopt.bench.JitHazards line (I)V' bytes='300' count='5'>
                <failure reason='out of nodes during code generation'/>
                <task_done success='0' nmsize='0'/>
                </task>
                """;
        String key = "io.llmopt.bench.JitHazards.line (tier 3): out of virtual registers in LIR generator";
        assertThat(failures(dir, c1Failure + c2Done)).as("C2 took over from the interpreter").isEmpty();
        assertThat(failures(dir, c1Failure)).as("no C2 code (yet)").containsOnlyKeys(key);
        assertThat(failures(dir, c1Failure + c2Failed)).as("C2 failed too")
                .containsOnlyKeys(key, "io.llmopt.bench.JitHazards.line (tier 4): out of nodes during code generation");
    }

    private static Map<String, Integer> failures(Path dir, String log) throws IOException {
        Path file = Files.createTempFile(dir, "jit", ".log");
        Files.writeString(file, log);
        Map<String, Integer> failures = new TreeMap<>();
        JitHazards.scan(file, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), failures);
        return failures;
    }

    @Test
    void aFileWithoutCompileTasksCountsNone(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("not-a-jit-log.txt");
        Files.writeString(log, "hello\n<tty>\n");
        assertThat(JitHazards.scan(log, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>())).isZero();
    }
}
