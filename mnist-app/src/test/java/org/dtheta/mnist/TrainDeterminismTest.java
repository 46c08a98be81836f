package org.dtheta.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code dtheta train} in fresh JVMs gives the same bytes every time, on one thread or two, and
 * when killed (SIGKILL) and resumed, for each kernel path. Each run is long enough (2500 images,
 * 60 steps) that C2 compiles the kernels part-way (the sigmoid's loop about 15 steps in), so a
 * result that depends on the JIT stage shows up as differing rows.
 */
class TrainDeterminismTest {

  private static final int STEPS = 60;
  /**
   * Training images: enough that C2 compiles the kernels' loops a few steps into a run, and
   * that the weight adjoints take the row-group reduction (at least 2048 rows).
   */
  private static final int IMAGES = 2500;
  private static final Pattern STEP = Pattern.compile("\"step\": (\\d+)");

  @TempDir Path tmp;
  Path data;

  @BeforeEach
  void data() throws IOException {
    data = tmp.resolve("mnist");
    Files.createDirectories(data);
    Fixtures.write(data, "train-images-idx3-ubyte", Fixtures.images(IMAGES, 1), false);
    Fixtures.write(data, "train-labels-idx1-ubyte", Fixtures.labels(IMAGES, 2), false);
    Fixtures.write(data, "t10k-images-idx3-ubyte", Fixtures.images(100, 3), false);
    Fixtures.write(data, "t10k-labels-idx1-ubyte", Fixtures.labels(100, 4), false);
  }

  @ParameterizedTest
  @ValueSource(strings = {"panama", "scalar"})
  void sameBytesAcrossRunsThreadsAndKills(String kernels) throws Exception {
    assumeTrue(kernels.equals("scalar")
        || ModuleFinder.ofSystem().find("jdk.incubator.vector").isPresent(), "no Vector API");
    Path one = tmp.resolve("one-thread");
    assertEquals(0, start(kernels, 1, one).waitFor(), log(one));
    Path two = tmp.resolve("two-threads");
    assertEquals(0, start(kernels, 2, two).waitFor(), log(two));
    assertSameRun(one, two, "1 thread against 2");

    // Killed three times at seeded random points (a few ms after the checkpoint of a random
    // step in each third of the run, so mostly inside a step), each time resumed in a fresh
    // JVM, the thread count alternating between launches; then run to the end.
    Path killed = tmp.resolve("killed");
    Random rnd = new Random(kernels.hashCode());
    int kills = 0;
    List<Integer> killedAt = new ArrayList<>();
    for (int launch = 0; launch < 3; launch++) {
      int target = launch * STEPS / 3 + 1 + rnd.nextInt(STEPS / 3 - 4);
      Process p = start(kernels, 2 - launch % 2, killed);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (p.isAlive() && checkpointedStep(killed) < target
          && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      Thread.sleep(rnd.nextInt(20));
      if (p.isAlive()) {
        kills++;
      }
      p.destroyForcibly().waitFor();
      killedAt.add(checkpointedStep(killed));
    }
    assertEquals(3, kills, "launches killed before the end, at " + killedAt + "\n"
        + log(killed));
    int code = start(kernels, 1, killed).waitFor();
    assertEquals(0, code, log(killed));
    assertSameRun(one, killed, kills + " kills (checkpointed steps " + killedAt
        + ") and resumes against an uninterrupted run");
  }

  /** {@code dtheta train} into {@code out} in a fresh JVM with the given kernels and threads. */
  private Process start(String kernels, int threads, Path out) throws IOException {
    List<String> command = Fixtures.javaCommand(
        List.of("-Ddtheta.kernels=" + kernels, "-Ddtheta.threads=" + threads), MnistApp.class,
        List.of("train", "--data", data.toString(), "--out", out.toString(),
            "--k", Integer.toString(IMAGES), "--hidden", "32", "--steps", Integer.toString(STEPS),
            "--save-every", "1", "--lr", "0.5", "--seed", "7", "--init-std", "0.3", "--quiet"));
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve(out.getFileName() + ".log")
            .toFile()))
        .start();
  }

  private String log(Path out) throws IOException {
    return Files.readString(tmp.resolve(out.getFileName() + ".log"));
  }

  /** The step the run's checkpoint records, or -1 while there is none. */
  private static int checkpointedStep(Path run) throws IOException {
    Path checkpoint = run.resolve("checkpoint.json");
    try {
      Matcher m = STEP.matcher(Files.readString(checkpoint)); // replaced atomically
      return m.find() ? Integer.parseInt(m.group(1)) : -1;
    } catch (java.nio.file.NoSuchFileException e) {
      return -1;
    }
  }

  private static void assertSameRun(Path expected, Path actual, String what) throws IOException {
    byte[] a = Files.readAllBytes(expected.resolve("trajectory.npy"));
    byte[] b = Files.readAllBytes(actual.resolve("trajectory.npy"));
    if (!java.util.Arrays.equals(a, b)) {
      fail(what + ": trajectory.npy differs from byte " + java.util.Arrays.mismatch(a, b)
          + " of " + a.length + " (" + (STEPS + 1) + " rows)");
    }
    assertEquals(withoutSeconds(expected), withoutSeconds(actual), what + ": metrics.csv");
  }

  /** metrics.csv without its last column, {@code seconds}, the wall time. */
  private static List<String> withoutSeconds(Path run) throws IOException {
    List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
    assertTrue(lines.get(0).endsWith(",seconds"), lines.get(0));
    assertEquals(STEPS + 2, lines.size(), "header and a line per step");
    return lines.stream().map(l -> l.substring(0, l.lastIndexOf(','))).collect(Collectors.toList());
  }
}
