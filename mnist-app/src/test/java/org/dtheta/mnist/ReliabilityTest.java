package org.dtheta.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.dtheta.nn.io.AtomicFiles;
import org.dtheta.nn.io.Npy;
import org.dtheta.nn.io.NpyReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The faults and bad inputs of the reliability issue (26), each against the command line: two
 * writers of one output, outputs equal to inputs, non-finite inputs, diverging training, checks
 * that must come before any work, jobs too large for the heap, and messages that name the option
 * or file. Each of these failed on the code before the output guard (see the commit message).
 */
class ReliabilityTest {

  static final int HIDDEN = 2;
  static final int P = 795 * HIDDEN + 10;

  @TempDir static Path tmp;
  static Path data;
  static Path run;
  static Path theta;

  @BeforeAll
  static void trainOnce() throws IOException {
    data = Fixtures.mnist(tmp.resolve("mnist"), false);
    run = tmp.resolve("run");
    Fixtures.Result r = Fixtures.run(train(run, "--steps", "4", "--save-every", "2"));
    assertEquals(0, r.code(), r.toString());
    theta = tmp.resolve("theta.npy");
    try (NpyReader reader = NpyReader.open(run.resolve("trajectory.npy"))) {
      Npy.writeVector(theta, reader.readRow(1));
    }
  }

  /** {@code train} on the fixture data into {@code out}, with {@code extra} options. */
  private static String[] train(Path out, String... extra) {
    List<String> base = List.of("train", "--data", data.toString(), "--k", "12", "--hidden",
        "" + HIDDEN, "--lr", "0.5", "--init-std", "0.5", "--quiet", "--out", out.toString());
    return Fixtures.withOptions(base, extra);
  }

  private static Fixtures.Result jacobian(String... args) {
    List<String> all = new ArrayList<>(List.of("jacobian", "--quiet", "--data=" + data));
    all.addAll(List.of(args));
    return Fixtures.run(all.toArray(String[]::new));
  }

  private static void assertBadInput(Fixtures.Result r, String... phrases) {
    assertEquals(MnistApp.BAD_INPUT, r.code(), r.toString());
    for (String phrase : phrases) {
      assertTrue(r.err().contains(phrase), "expected '" + phrase + "' in\n" + r);
    }
    assertFalse(r.err().contains("Exception"), "no exception names in messages:\n" + r);
  }

  /** Names of the files in {@code dir}, hidden ones too. */
  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Another JVM running {@code mainClass args} on this test's class path. */
  private static Process spawn(Class<?> mainClass, String... args) throws IOException {
    return new ProcessBuilder(Fixtures.javaCommand(List.of(), mainClass, List.of(args)))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  /** Runs {@code check} while another JVM holds the output lock of {@code file}, then kills it. */
  private static void whileLockedByAnotherProcess(Path file, java.util.function.LongConsumer check)
      throws Exception {
    Process holder = spawn(LockHolder.class, file.toString());
    try {
      BufferedReader lines = new BufferedReader(
          new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked", lines.readLine(), "the holder process took the lock");
      check.accept(holder.pid());
    } finally {
      holder.destroyForcibly();
      holder.waitFor(30, TimeUnit.SECONDS);
    }
  }

  // Item 1: two writers of one output.

  @Test
  void aSecondWriterOfAJacobianStopsAtOnceNamingTheFileAndTheHolder() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("busy-jacobian"));
    Path out = dir.resolve("Df.npy");
    whileLockedByAnotherProcess(out, pid -> {
      Fixtures.Result r = jacobian("--run", run.toString(), "--step", "2", "--out", out.toString());
      assertBadInput(r, out.toString(), "being written by another dtheta process", "pid " + pid);
      try {
        assertEquals(List.of(".Df.npy.lock"), files(dir), "nothing written beside the lock");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    // A killed holder leaves its lock file but not its lock: the next writer takes it over.
    Fixtures.Result r = jacobian("--run", run.toString(), "--step", "2", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of("Df.npy"), files(dir), "the lock file goes with its last holder");
  }

  @Test
  void aSecondFetchIntoOneCacheStopsAtOnce() throws Exception {
    Path cache = Files.createDirectories(tmp.resolve("busy-cache"));
    Path images = cache.resolve("train-images-idx3-ubyte");
    whileLockedByAnotherProcess(images, pid ->
        assertBadInput(Fixtures.run("data", "fetch", "--cache", cache.toString()),
            images.toString(), "being written by another dtheta process", "pid " + pid));
  }

  @Test
  void aSecondTrainingOfOneFolderStopsAtOnceAndTheFirstIsUntouched() throws Exception {
    Path out = tmp.resolve("busy-run");
    String[] args = train(out, "--steps", "1000000", "--save-every", "1000");
    Process first = spawn(MnistApp.class, args);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(out.resolve("checkpoint.json")) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(first.isAlive() && Files.exists(out.resolve("checkpoint.json")),
          "the first training runs");
      String checkpointBefore = Files.readString(out.resolve("checkpoint.json"));
      Fixtures.Result r = Fixtures.run(args);
      assertBadInput(r, out.toString(), "being written by another dtheta process",
          "pid " + first.pid());
      assertFalse(r.out().contains("Resuming"), r.toString());
      assertTrue(first.isAlive(), "the first run goes on");
      assertFalse(checkpointBefore.isEmpty());
      Thread.sleep(200);
    } finally {
      first.destroyForcibly();
      first.waitFor(30, TimeUnit.SECONDS);
    }
    List<String> lines = Files.readAllLines(out.resolve("metrics.csv.partial"));
    assertEquals(Metrics.HEADER, lines.get(0));
    for (int row = 1; row < lines.size() - 1; row++) { // the last line may be cut by the kill
      assertTrue(lines.get(row).startsWith((row - 1) + ","),
          "one writer: steps 0, 1, 2, ... in order, not " + lines.get(row));
    }
  }

  // Item 3 beyond training (TrainDeterminismTest): Df's bits do not depend on the thread count.

  @Test
  void jacobiansHaveTheSameBitsAtOneToFourThreads() throws Exception {
    // Enough images for several blocks of samples and parts, so that work is really split.
    Path images = Fixtures.mnist(tmp.resolve("mnist-300"), 300, 10, false);
    Path threadsRun = tmp.resolve("run-300");
    int hidden = 3;
    int p = 795 * hidden + 10;
    assertEquals(0, Fixtures.run("train", "--data", images.toString(), "--k", "300", "--hidden",
        "" + hidden, "--steps", "2", "--lr", "0.5", "--init-std", "0.5", "--quiet", "--out",
        threadsRun.toString()).code());
    Path v = tmp.resolve("V-threads.npy");
    double[] directions = new double[p];
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    for (int i = 0; i < p; i++) {
      directions[i] = random.nextGaussian();
    }
    Npy.writeVector(v, directions);
    List<List<String>> jobs = List.of(
        List.of("--method", "structured"), List.of("--method", "hvp"), List.of("--times", v.toString()));
    for (List<String> job : jobs) {
      byte[][] bytes = new byte[4][];
      for (int threads = 1; threads <= 4; threads++) {
        Path out = tmp.resolve("threads-" + job.get(1).replaceAll("\\W", "") + "-" + threads + ".npy");
        List<String> args = new ArrayList<>(List.of("jacobian", "--quiet", "--data",
            images.toString(), "--run", threadsRun.toString(), "--step", "2", "--panel-rows", "500",
            "--out", out.toString()));
        args.addAll(job);
        Process process = new ProcessBuilder(Fixtures.javaCommand(
            List.of("-Ddtheta.threads=" + threads), MnistApp.class, args))
            .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "finished");
        assertEquals(0, process.exitValue(), job + " at " + threads + " threads:\n" + output);
        bytes[threads - 1] = Files.readAllBytes(out);
      }
      for (int threads = 2; threads <= 4; threads++) {
        assertArrayEquals(bytes[0], bytes[threads - 1],
            job + ": the same bits at 1 and " + threads + " threads");
      }
    }
  }

  // Item 2: outputs equal to inputs.

  @Test
  void anOutputThatIsAnInputIsRefusedBeforeAnyWork() throws IOException {
    Path trajectory = run.resolve("trajectory.npy");
    byte[] before = Files.readAllBytes(trajectory);
    assertBadInput(jacobian("--run", run.toString(), "--step", "2", "--block", "W2,b2", "--out",
        trajectory.toString()), "--out " + trajectory, "same file as --run");
    assertArrayEquals(before, Files.readAllBytes(trajectory), "the trajectory is intact");

    byte[] thetaBytes = Files.readAllBytes(theta);
    assertBadInput(jacobian("--theta", theta.toString(), "--k", "12", "--block", "W2,b2", "--out",
        theta.toString()), "same file as --theta");
    Path link = tmp.resolve("link-to-theta.npy");
    Files.createSymbolicLink(link, theta);
    assertBadInput(jacobian("--theta", theta.toString(), "--k", "12", "--out", link.toString()),
        "same file as --theta");
    assertArrayEquals(thetaBytes, Files.readAllBytes(theta), "theta is intact");

    Path v = tmp.resolve("V.npy");
    Npy.writeMatrix(v, new double[P * 2], P, 2);
    byte[] vBytes = Files.readAllBytes(v);
    assertBadInput(jacobian("--theta", theta.toString(), "--k", "12", "--times", v.toString(),
        "--out", v.toString()), "same file as --times");
    assertArrayEquals(vBytes, Files.readAllBytes(v), "V is intact");
  }

  // Item 4: NaN and infinity in inputs, and diverging training.

  @Test
  void nonFiniteInputsAreRefusedNamingTheFileAndTheFirstBadEntry() throws IOException {
    double[] values = Npy.readVector(theta, P, "theta");
    values[17] = Double.NaN;
    Path nan = tmp.resolve("theta-nan.npy");
    Npy.writeVector(nan, values);
    assertBadInput(jacobian("--theta", nan.toString(), "--k", "12", "--block", "W2,b2", "--out",
        tmp.resolve("never.npy").toString()), nan.toString(), "entry 17 is NaN", "--theta");
    assertBadInput(Fixtures.run(train(tmp.resolve("never-run"), "--init", nan.toString())),
        nan.toString(), "entry 17 is NaN", "--init");
    assertFalse(Files.exists(tmp.resolve("never-run")), "nothing created");

    double[] directions = new double[P * 2];
    directions[5 * 2 + 1] = Double.POSITIVE_INFINITY;
    Path v = tmp.resolve("V-inf.npy");
    Npy.writeMatrix(v, directions, P, 2);
    assertBadInput(jacobian("--theta", theta.toString(), "--k", "12", "--times", v.toString(),
        "--out", tmp.resolve("never.npy").toString()), "entry [5, 1] is Infinity", "--times");
    assertFalse(Files.exists(tmp.resolve("never.npy")));

    // A trajectory row patched to NaN: the analyses refuse it instead of a stack trace.
    Path bad = tmp.resolve("run-nan");
    Files.createDirectories(bad);
    for (String name : List.of("trajectory.npy", "metrics.csv", "run.json")) {
      Files.copy(run.resolve(name), bad.resolve(name));
    }
    long offset = Npy.header(bad.resolve("trajectory.npy")).dataOffset() + (1L * P + 3) * 8;
    try (FileChannel c = FileChannel.open(bad.resolve("trajectory.npy"), StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0, Double.NaN), offset);
    }
    assertBadInput(Fixtures.run("spectrum", "--run", bad.toString(), "--data", data.toString(),
        "--top", "1", "--bottom", "1", "--quiet"), "entry [1, 3] is NaN", "theta at step 2");
    assertBadInput(Fixtures.run("lyapunov", "--run", bad.toString(), "--data", data.toString(),
        "--m", "2", "--quiet"), "entry [1, 3] is NaN", "theta at step 2");
    assertFalse(Files.exists(bad.resolve("spectrum.csv")) || Files.exists(bad.resolve("lyapunov.csv")));
  }

  @Test
  void divergingTrainingStopsWithItsOwnExitCodeKeepingTheFiniteSteps() throws IOException {
    Path out = tmp.resolve("diverging");
    String[] args = train(out, "--lr", "1e308", "--steps", "8", "--save-every", "1");
    Fixtures.Result r = Fixtures.run(args);
    assertEquals(MnistApp.DIVERGED, r.code(), r.toString());
    assertTrue(r.err().contains("training diverged") && r.err().contains("--lr"), r.toString());
    assertTrue(Files.readString(out.resolve("run.json")).contains("\"status\": \"diverged\""));
    Metrics metrics = Metrics.read(out.resolve("metrics.csv"));
    int last = metrics.step().length - 1;
    assertTrue(last < 8, "metrics end at the divergence, step " + last);
    try (NpyReader trajectory = NpyReader.open(out.resolve("trajectory.npy"))) {
      long rows = trajectory.rows();
      assertTrue(rows >= 1 && rows <= last + 1, rows + " rows for " + (last + 1) + " metric rows");
      assertEquals(P, trajectory.cols());
      trajectory.requireFinite(trajectory.readAll(), 0, "the kept trajectory");
    }
    assertEquals(List.of("accuracy.png", "loss.png", "metrics.csv", "run.json", "trajectory.npy"),
        files(out), "no partial, checkpoint or lock files");
    Fixtures.Result again = Fixtures.run(args);
    assertEquals(MnistApp.DIVERGED, again.code(), "a rerun reports the same divergence\n" + again);
    assertBadInput(Fixtures.run("spectrum", "--run", out.toString(), "--data", data.toString()),
        "diverged");
  }

  // Items 5 and 7: checks before any work.

  @Test
  void optionErrorsComeBeforeAnyWorkAndLeaveNothing() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("checks"));
    String out = dir.resolve("Df.npy").toString();
    String step = "2";
    assertBadInput(jacobian("--run", run.toString(), "--step", step, "--block", "W2,b2", "--verify",
        "3", "--out", out), "--verify", "--block");
    assertBadInput(jacobian("--run", run.toString(), "--step", step, "--gauss-newton", "--verify",
        "3", "--out", out), "--verify");
    assertBadInput(jacobian("--run", run.toString(), "--step", step, "--verify", "-3", "--out", out),
        "--verify must be >= 0");
    assertBadInput(jacobian("--run", run.toString(), "--step", step, "--verify", "100000000",
        "--out", out), "--verify 100000000 exceeds the " + P + " rows");
    assertBadInput(jacobian("--run", run.toString(), "--step", step, "--out", dir.toString()),
        "--out " + dir + " is a folder");
    assertBadInput(jacobian("--run", run.toString(), "--step", step, "--block", "W9,b2", "--out", out),
        "--block W9,b2", "W1, b1, W2 or b2");
    assertEquals(List.of(), files(dir), "nothing written, no partial file");

    Path demo = tmp.resolve("demo");
    assertBadInput(Fixtures.run("demo", "--data", data.toString(), "--k", "12", "--hidden", "2",
        "--steps", "2", "--jacobian", "bogus", "--quiet", "--out", demo.toString()), "--jacobian",
        "bogus");
    assertFalse(Files.exists(demo.resolve("run")), "no training before the demo's checks");
  }

  // Item 6: memory.

  @Test
  void jobsTooLargeForTheHeapStopWithTheEstimateBeforeWritingAnything() {
    Path out = tmp.resolve("huge");
    assertBadInput(Fixtures.run(train(out, "--hidden", "100000000")), "needs about",
        "of heap", "--hidden");
    assertFalse(Files.exists(out), "no output folder, no partial files");
    assertBadInput(jacobian("--run", run.toString(), "--step", "2", "--k", "1000000000",
        "--out", tmp.resolve("huge.npy").toString()), "needs about", "--k or --panel-rows");
    assertFalse(Files.exists(tmp.resolve("huge.npy.partial")));
  }

  // Item 9: messages in the user's words.

  @Test
  void messagesNameTheOptionOrFile() throws IOException {
    assertBadInput(Fixtures.run(train(tmp.resolve("m1"), "--init", tmp.toString())),
        "--init " + tmp, "is not a file");
    assertBadInput(Fixtures.run(train(Path.of(""))), "--out must name a folder");
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    assertBadInput(Fixtures.run(train(file)), "--out " + file, "exists and is not a folder");
    assertBadInput(jacobian("--run", run.toString(), "--step", "2", "--out", ""),
        "--out must name the .npy file");
    assertBadInput(Fixtures.run("spectrum", "--run", run.toString(), "--data", data.toString(),
        "--top", "-1"), "--top and --bottom");
    Path folder = tmp.resolve("some-folder");
    IOException named = AtomicFiles.naming(folder, new IOException("No space left on device"));
    assertTrue(named instanceof FileSystemException && named.getMessage().contains(folder.toString())
        && named.getMessage().contains("No space left on device"), named.getMessage());
    assertEquals(folder + ": No space left on device", MnistApp.describe(named));
  }
}
