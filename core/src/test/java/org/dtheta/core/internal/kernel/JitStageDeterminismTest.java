package org.dtheta.core.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Vector API kernels give the same bits interpreted (the Java fallback of every vector
 * operation) and compiled by C2 (the intrinsics): {@link JitStageProbe} in a fresh {@code -Xint}
 * JVM against one that compiled the loops with C2 only after warm-up.
 */
class JitStageDeterminismTest {

  @TempDir Path tmp;

  @Test
  void interpretedAndCompiledKernelsGiveTheSameBits() throws Exception {
    assumeTrue(KernelProvider.panama().isPresent(), "the Vector API module is not present");
    Path interpreted = tmp.resolve("interpreted.bin");
    Path compiled = tmp.resolve("compiled.bin");
    String a = probe(List.of("-Xint"), 0, interpreted);
    // C2 only, compiling in the foreground: the loops are compiled well before the warm-up ends
    String b = probe(List.of("-XX:-TieredCompilation", "-Xbatch"), 40_000, compiled);
    assertTrue(a.startsWith("panama") && a.equals(b), "kernels " + a + " and " + b);
    compare(Files.readAllBytes(interpreted), Files.readAllBytes(compiled));
  }

  /** Runs the probe in a fresh JVM on the Vector API kernels of this run's width. */
  private String probe(List<String> flags, int warmUp, Path out) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
        "-Ddtheta.kernels=panama"));
    String bits = System.getProperty("dtheta.vectorBits");
    if (bits != null) {
      command.add("-Ddtheta.vectorBits=" + bits);
    }
    command.addAll(flags);
    command.addAll(List.of(JitStageProbe.class.getName(), Integer.toString(warmUp), out.toString()));
    Path log = tmp.resolve(out.getFileName() + ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      fail("probe timed out: " + command);
    }
    String output = Files.readString(log);
    assertEquals(0, p.exitValue(), output);
    return output.lines().filter(l -> !l.startsWith("WARNING")).findFirst().orElse("").trim();
  }

  /** Equal bytes, or a failure saying how many values differ and by how much. */
  private static void compare(byte[] a, byte[] b) throws IOException {
    assertEquals(a.length, b.length, "output lengths");
    ByteBuffer x = ByteBuffer.wrap(a);
    ByteBuffer y = ByteBuffer.wrap(b);
    int differ = 0;
    int first = -1;
    double maxRelative = 0;
    for (int i = 0; i < a.length / 8; i++) {
      double u = x.getDouble(i * 8);
      double v = y.getDouble(i * 8);
      if (Double.doubleToRawLongBits(u) != Double.doubleToRawLongBits(v)) {
        differ++;
        first = first < 0 ? i : first;
        maxRelative = Math.max(maxRelative, Math.abs(u - v) / Math.abs(u));
      }
    }
    assertEquals(0, differ, differ + " of " + a.length / 8 + " values differ between -Xint and C2"
        + " (first at " + first + "), up to " + maxRelative + " relative");
  }
}
