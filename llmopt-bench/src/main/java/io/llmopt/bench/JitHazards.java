package io.llmopt.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.LineNumberInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the Vector API calls C2 left as real calls in llmopt's compiled code, from a HotSpot compilation log. A
 * vector operation that is not inlined runs the Java fallback and boxes its operands: the kernel gets 10–40× slower.
 * It happens when C2 cannot tell a vector's class while parsing — a loop-carried accumulator, a parameter, the
 * result of a call inlined late after the method outgrew C2's node budget — and the type profile it then needs is
 * that of the JDK's shared wrapper (e.g. {@code ShortVector.add} calling {@code lanewise}), which every caller
 * in the process writes to and which may be empty or polluted. Usage:
 *
 * <pre>
 * java -XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=/tmp/jit.log ... (any llmopt run)
 * java -cp llmopt-bench/target/benchmarks.jar io.llmopt.bench.JitHazards /tmp/jit.log
 * </pre>
 *
 * Also counted, apart: vector calls C2 inlined behind a class check whose miss path is a virtual call rather than an
 * uncommon trap. C2 does that once a compile has spent its class-check traps ({@code PerMethodTrapLimit}, summed over
 * every inlined copy of the JDK's shared vector methods, which the Java fallbacks trap in while kernels still run
 * interpreted) or the bytecode has trapped before. Such a check folds away once the receiver's producer is inlined,
 * unless the receiver is a loop-carried vector: then the loop phi merges the virtual call's result, the receiver never
 * gets an exact class, and the call and its boxing stay in the loop. Kernels therefore keep loop-carried vectors out of
 * the receiver position (see {@code Simd}); these guarded calls are listed to find a kernel that does not. Forced with
 * {@code -XX:TypeProfileLevel=0 -XX:PerMethodTrapLimit=5}, every such check in {@code PanelGemv.q4_0} has a virtual
 * miss: with the accumulator as receiver the paged decode ran 4.8–5.9 steps/s, with it as argument 43 (session 18).
 *
 * <p>Prints, per llmopt source line, the vector calls that stayed virtual in C2 compiles (and the count), the calls
 * of llmopt methods taking or returning vectors that C2 did not inline (their vectors are boxed), the
 * llmopt methods that hit C2's node-count cutoff, the guarded calls above, and failed compiles of llmopt methods;
 * exits 1 if any vector call stayed virtual or a compile failed.
 */
public final class JitHazards {
    private static final Pattern ATTR = Pattern.compile("(\\w+)='([^']*)'");

    private JitHazards() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: JitHazards HOTSPOT_LOG (from -XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=...)");
            System.exit(2);
        }
        Map<String, Integer> hazards = new TreeMap<>();
        Map<String, Integer> guarded = new TreeMap<>();
        Map<String, Integer> cutoffs = new TreeMap<>();
        Map<String, Integer> failures = new TreeMap<>();
        Path log = Path.of(args[0]);
        int tasks;
        try {
            tasks = scan(log, hazards, guarded, cutoffs, failures);
        } catch (IOException e) {
            System.err.println("JitHazards: cannot read " + log + ": " + e);
            System.exit(2);
            return;
        }
        if (tasks == 0) {
            System.err.println("JitHazards: " + log + " holds no compile task (expected a log from -XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation)");
            System.exit(2);
        }
        cutoffs.forEach((k, v) -> System.out.println("node-count cutoff: " + k + " (" + v + "×)"));
        guarded.forEach((k, v) -> System.out.println("guarded, a virtual call on a miss (harmful only on a loop-carried receiver): " + k + " (" + v + "×)"));
        hazards.forEach((k, v) -> System.out.println("vector call left as a call: " + k + " (" + v + "×)"));
        failures.forEach((k, v) -> System.out.println("failed compile: " + k + " (" + v + "×)"));
        System.out.println((hazards.isEmpty() ? "no vector call left virtual in C2 code" : hazards.size() + " source lines with vector calls left as calls")
                + (failures.isEmpty() ? ", no failed compile of llmopt code" : ", " + failures.size() + " llmopt methods with failed compiles"));
        System.exit(hazards.isEmpty() && failures.isEmpty() ? 0 : 1);
    }

    /** One frame of the inlining tree being parsed: the method and the bytecode index last seen in it. */
    private record Frame(String method, int[] bci) {
    }

    /**
     * Compile failures that are not retried or harmless: a method whose tier-3 (C1) compile fails after a tier-2
     * one exists stays in that C1 code for good (the tiered policy does not move it on to C2), where vector
     * operations run boxed; the cliff is C1's register limit ("out of virtual registers in linear scan"). The
     * launcher's {@code -XX:Tier3DelayOn=100000} keeps hot methods from tier 2, and a C1 failure from the interpreter
     * is harmless (the method goes on to C2); {@link #scan} therefore drops the failures of C1 tiers of a method that
     * has a successful C2 compile and no tier-2 compile in the log.
     */
    private static boolean serious(String reason) {
        return !(reason.equals("stale task") || reason.equals("concurrent class loading") || reason.startsWith("retry "));
    }

    /**
     * Fills the four maps from {@code log}; returns the number of compile tasks it holds. A failure is keyed
     * "Class.method (tier N): reason".
     */
    static int scan(Path log, Map<String, Integer> hazards, Map<String, Integer> guarded, Map<String, Integer> cutoffs, Map<String, Integer> failures)
            throws IOException {
        int tasks = 0;
        Map<String, String> klass = new HashMap<>();
        Map<String, String[]> method = new HashMap<>();
        Deque<Frame> stack = new ArrayDeque<>();
        boolean inC2 = false;
        String task = null;
        String callee = null;
        boolean calleeTakesVectors = false;
        boolean calleeReturnsVector = false;
        // a late inline (parsed after the method itself) names its call chain in <jvms> elements, innermost first: the
        // innermost llmopt frame of the last one stands for the llmopt site of what it parses
        Frame lateSite = null;
        boolean inLateInline = false;
        Map<String, java.util.Set<String>> compiled = new HashMap<>(); // method → tiers compiled successfully
        Map<String, String> c1Failures = new HashMap<>(); // failure key → method, for C1 tiers
        String taskMethod = null;
        String taskLevel = null;
        try (var lines = Files.lines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            for (String ln : (Iterable<String>) lines::iterator) {
                if (ln.startsWith("<task ")) {
                    tasks++;
                    Map<String, String> a = attrs(ln);
                    taskMethod = a.get("method") == null ? null : a.get("method").split(" ")[0] + "." + a.get("method").split(" ")[1];
                    taskLevel = a.getOrDefault("level", "4");
                    task = taskMethod == null ? null : taskMethod + " (tier " + taskLevel + ")";
                    inC2 = !a.containsKey("level") || a.get("level").equals("4");
                    klass.clear();
                    method.clear();
                    stack.clear();
                    continue;
                }
                if (ln.startsWith("<failure ") && task != null && task.startsWith("io.llmopt.")) {
                    String reason = attrs(ln).get("reason");
                    if (reason != null && serious(reason)) {
                        failures.merge(task + ": " + reason, 1, Integer::sum);
                        if (!taskLevel.equals("4")) {
                            c1Failures.put(task + ": " + reason, taskMethod);
                        }
                    }
                }
                if (ln.startsWith("<task_done ") && taskMethod != null && "1".equals(attrs(ln).get("success"))) {
                    compiled.computeIfAbsent(taskMethod, m -> new java.util.HashSet<>()).add(taskLevel);
                }
                if (!inC2) {
                    continue;
                }
                if (ln.startsWith("</task>")) {
                    inC2 = false;
                    lateSite = null;
                } else if (ln.startsWith("<late_inline ")) {
                    inLateInline = true;
                    lateSite = null;
                } else if (ln.startsWith("</late_inline>")) {
                    inLateInline = false;
                } else if (inLateInline && ln.startsWith("<jvms ")) {
                    Map<String, String> a = attrs(ln);
                    String m = name(a.get("method"), klass, method);
                    if (lateSite == null && m.startsWith("io.llmopt.")) {
                        lateSite = new Frame(m, new int[] {Integer.parseInt(a.get("bci"))});
                    }
                } else if (ln.startsWith("<klass ")) {
                    Map<String, String> a = attrs(ln);
                    klass.put(a.get("id"), a.get("name").replace('/', '.'));
                } else if (ln.startsWith("<method ")) {
                    Map<String, String> a = attrs(ln);
                    method.put(a.get("id"), new String[] {a.get("holder"), a.get("name"), a.getOrDefault("arguments", "") + " " + a.getOrDefault("return", ""),
                        a.getOrDefault("return", "")});
                } else if (ln.startsWith("<parse ")) {
                    stack.push(new Frame(name(attrs(ln).get("method"), klass, method), new int[] {-1}));
                } else if (ln.startsWith("</parse>")) {
                    stack.poll();
                } else if (ln.startsWith("<bc ") && !stack.isEmpty()) {
                    stack.peek().bci()[0] = Integer.parseInt(attrs(ln).get("bci"));
                } else if (ln.startsWith("<call ")) {
                    String id = attrs(ln).get("method");
                    callee = name(id, klass, method);
                    calleeTakesVectors = false;
                    String[] m = method.get(id);
                    String returned = m == null ? "" : klass.getOrDefault(m[3], "");
                    calleeReturnsVector = returned.startsWith("jdk.incubator.vector.") && returned.endsWith("Vector");
                    for (String k : m == null ? new String[0] : m[2].trim().split(" ")) {
                        String kn = klass.getOrDefault(k, "");
                        calleeTakesVectors |= kn.startsWith("jdk.incubator.vector.") && kn.endsWith("Vector");
                    }
                } else if (ln.startsWith("<virtual_call ") && callee != null && callee.startsWith("jdk.incubator.vector.") && calleeReturnsVector) {
                    // a call C2 inlined behind a class check whose miss path is a real virtual call, not an uncommon trap:
                    // the check's traps were spent (too many class-check traps in this compile or at this bytecode)
                    String site = llmoptSite(stack, lateSite);
                    if (site != null) {
                        String inner = stack.isEmpty() ? "" : stack.peek().method();
                        guarded.merge(site + ": " + (inner.startsWith("io.llmopt") ? "" : inner + " → ") + callee, 1, Integer::sum);
                    }
                } else if (ln.startsWith("<inline_fail ") && callee != null) {
                    String reason = attrs(ln).get("reason");
                    String site = llmoptSite(stack, lateSite);
                    if (site == null) {
                        continue;
                    }
                    if (callee.startsWith("io.llmopt.") && calleeTakesVectors) {
                        hazards.merge(site + ": " + callee + " takes or returns a vector and was not inlined (" + reason + ")", 1, Integer::sum);
                    } else if (reason.equals("virtual call") && callee.startsWith("jdk.incubator.vector.")) {
                        String inner = stack.isEmpty() ? "" : stack.peek().method();
                        hazards.merge(site + ": " + (inner.startsWith("io.llmopt") ? "" : inner + " → ") + callee, 1, Integer::sum);
                    }
                    if (reason.equals("NodeCountInliningCutoff")) {
                        cutoffs.merge(site + " (" + callee + " not inlined)", 1, Integer::sum);
                    }
                }
            }
        }
        c1Failures.forEach((key, m) -> {
            java.util.Set<String> tiers = compiled.getOrDefault(m, java.util.Set.of());
            if (tiers.contains("4") && !tiers.contains("2")) {
                failures.remove(key);
            }
        });
        return tasks;
    }

    /**
     * The innermost llmopt frame of the stack as "Class.method:line", else that of the late inline being parsed
     * ({@code late}, may be null), or null outside llmopt code.
     */
    private static String llmoptSite(Deque<Frame> stack, Frame late) {
        Iterable<Frame> frames = stack;
        if (late != null && stack.stream().noneMatch(f -> f.method().startsWith("io.llmopt."))) {
            frames = List.of(late);
        }
        for (Frame f : frames) {
            if (f.method().startsWith("io.llmopt.")) {
                int dot = f.method().lastIndexOf('.');
                String cls = f.method().substring(0, dot);
                String m = f.method().substring(dot + 1);
                return cls.substring(cls.lastIndexOf('.') + 1) + "." + m + ":" + line(cls, m, f.bci()[0]);
            }
        }
        return null;
    }

    private static String name(String id, Map<String, String> klass, Map<String, String[]> method) {
        String[] m = method.get(id);
        return m == null ? "?" : klass.getOrDefault(m[0], "?") + "." + m[1];
    }

    private static Map<String, String> attrs(String ln) {
        Map<String, String> a = new HashMap<>();
        Matcher m = ATTR.matcher(ln);
        while (m.find()) {
            a.put(m.group(1), m.group(2));
        }
        return a;
    }

    private static final Map<String, ClassModel> CLASSES = new HashMap<>();

    /** The source line of {@code bci} in method {@code name} of class {@code cls} (the first overload that has it), or "bci N". */
    static String line(String cls, String name, int bci) {
        ClassModel cm = CLASSES.computeIfAbsent(cls, c -> {
            try (InputStream in = JitHazards.class.getClassLoader().getResourceAsStream(c.replace('.', '/') + ".class")) {
                return in == null ? null : ClassFile.of().parse(in.readAllBytes());
            } catch (IOException e) {
                return null;
            }
        });
        if (cm != null && bci >= 0) {
            for (MethodModel mm : cm.methods()) {
                java.util.Optional<java.lang.classfile.attribute.CodeAttribute> code = mm.findAttribute(Attributes.code());
                if (!mm.methodName().equalsString(name) || code.isEmpty() || bci >= code.get().codeLength()) {
                    continue;
                }
                List<LineNumberInfo> table = code.get().findAttribute(Attributes.lineNumberTable()).map(t -> t.lineNumbers()).orElse(List.of());
                int line = -1;
                int best = -1;
                for (LineNumberInfo li : table) { // the entry starting closest before bci (the table is not sorted)
                    if (li.startPc() <= bci && li.startPc() > best) {
                        best = li.startPc();
                        line = li.lineNumber();
                    }
                }
                if (line > 0) {
                    return String.valueOf(line);
                }
            }
        }
        return "bci " + bci;
    }
}
