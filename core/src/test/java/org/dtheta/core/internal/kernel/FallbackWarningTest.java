package org.dtheta.core.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user who forgets {@code --add-modules jdk.incubator.vector} is told so on stderr, once, at
 * WARNING; one who chose {@code -Ddtheta.kernels=scalar}, or who has the module, is not. Each
 * case runs {@link SelectionProbe} in a fresh JVM (the choice is made once per JVM).
 */
class FallbackWarningTest {

  private static final String FLAG = "--add-modules jdk.incubator.vector";

  @TempDir Path tmp;

  @Test
  void automaticFallbackWarnsNamingTheModuleFlag() throws Exception {
    Run run = probe(false);
    assertEquals("kernels scalar", run.out.trim(), run.toString());
    assertTrue(run.err.contains("WARNING"), run.toString());
    assertTrue(run.err.contains(FLAG), run.toString());
    assertEquals(1, run.err.split(FLAG, -1).length - 1, "said once: " + run);
  }

  @Test
  void explicitScalarChoiceDoesNotWarn() throws Exception {
    Run run = probe(false, "-Ddtheta.kernels=scalar");
    assertEquals("kernels scalar", run.out.trim(), run.toString());
    assertFalse(run.err.contains(FLAG), run.toString());
  }

  @Test
  void withTheModuleThereIsNoWarning() throws Exception {
    assumeTrue(KernelProvider.panama().isPresent(), "the Vector API is not usable here");
    Run run = probe(true);
    assertTrue(run.out.trim().startsWith("kernels panama"), run.toString());
    assertFalse(run.err.contains(FLAG), run.toString());
  }

  private record Run(String out, String err) {
    @Override
    public String toString() {
      return "--- out\n" + out + "--- err\n" + err;
    }
  }

  private Run probe(boolean withModule, String... options) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
        "-cp", System.getProperty("java.class.path")));
    if (withModule) {
      command.add("--add-modules=jdk.incubator.vector");
    }
    command.addAll(List.of(options));
    command.add(SelectionProbe.class.getName());
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      fail("probe timed out: " + command);
    }
    Run run = new Run(Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    assertEquals(0, p.exitValue(), run.toString());
    return run;
  }
}
