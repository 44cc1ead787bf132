# Prints the home of a JDK with major version >= 25: $JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm.
llmopt_jdk_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}
llmopt_find_jdk() {
  local candidate major
  for candidate in "${LLMOPT_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/*-2[5-9]* /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    major="$(llmopt_jdk_major "$candidate")"
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then echo "$candidate"; return 0; fi
  done
  return 1
}
