package org.dtheta.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.nn.Initializer;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.io.Npy;
import org.dtheta.nn.io.NpyReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainTest {

  @TempDir Path tmp;
  Path data;

  @BeforeEach
  void data() throws IOException {
    data = Fixtures.mnist(tmp.resolve("mnist"), false);
  }

  /** Trains the small test run into {@code out}; {@code extra} options replace the defaults. */
  private Fixtures.Result train(Path out, String... extra) {
    return Fixtures.run(Fixtures.withOptions(List.of("train", "--data", data.toString(),
        "--k", "12", "--hidden", "3", "--steps", "6", "--save-every", "2", "--lr", "0.5",
        "--seed", "7", "--init-std", "0.3", "--quiet", "--out", out.toString()), extra));
  }

  @Test
  void trainsAndWritesEveryOutput() throws IOException {
    Path out = tmp.resolve("run");
    Fixtures.Result r = train(out);
    assertEquals(0, r.code(), r.toString());
    int p = 795 * 3 + 10;
    // trajectory: rows for steps 0, 2, 4, 6, equal to independent GD steps of nn's update map
    double[] trajectory;
    try (NpyReader reader = NpyReader.open(out.resolve("trajectory.npy"))) {
      assertArrayEquals(new long[] {4, p}, reader.header().shape());
      trajectory = reader.readAll();
    }
    Mnist mnist = Mnist.load(data, 12);
    TwoLayerNet net = new TwoLayerNet(TrainConfig.network(3, 0.5), mnist.train());
    UpdateMap map = new UpdateMap(net);
    double[] theta = Initializer.gaussian(7, 0.3).initialize(TrainConfig.network(3, 0.5));
    double[] losses = new double[7];
    for (int t = 0; t <= 6; t++) {
      if (t % 2 == 0) {
        assertArrayEquals(theta, Arrays.copyOfRange(trajectory, t / 2 * p, (t / 2 + 1) * p),
            "trajectory row of step " + t);
      }
      losses[t] = t < 6 ? map.apply(theta, theta) : net.loss(theta);
    }
    Metrics m = Metrics.read(out.resolve("metrics.csv"));
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, m.step());
    assertArrayEquals(losses, m.loss(), "loss column");
    assertTrue(m.loss()[6] < m.loss()[0], "training reduces the loss: " + Arrays.toString(m.loss()));
    for (int t = 0; t <= 6; t++) {
      assertTrue(m.trainAccuracy()[t] >= 0 && m.trainAccuracy()[t] <= 1);
      assertEquals(Math.round(m.testAccuracy()[t] * 10), m.testAccuracy()[t] * 10, 1e-9,
          "test accuracy is a multiple of 1/10");
      assertTrue(m.gradNorm()[t] > 0);
    }
    JsonObject run = Json.readObject(out.resolve("run.json"));
    assertEquals("complete", run.get("status").getAsString());
    assertEquals(12, run.getAsJsonObject("config").get("k").getAsInt());
    assertEquals(7, run.getAsJsonObject("config").get("seed").getAsLong());
    assertTrue(run.getAsJsonObject("environment").get("kernels").getAsString().length() > 0);
    assertTrue(run.getAsJsonObject("timings").get("train_seconds").getAsDouble() >= 0);
    for (String png : new String[] {"loss.png", "accuracy.png"}) {
      byte[] bytes = Files.readAllBytes(out.resolve(png));
      assertEquals((byte) 0x89, bytes[0]);
      assertEquals('P', bytes[1]);
    }
    assertEquals(List.of("accuracy.png", "loss.png", "metrics.csv", "run.json", "trajectory.npy"),
        names(out), "no partial, temporary or checkpoint files remain");
    // running again finds the completed run and leaves it alone
    Fixtures.Result again = train(out);
    assertEquals(0, again.code(), again.toString());
    assertTrue(again.out().contains("already holds this completed run"), again.toString());
  }

  private static List<String> names(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  /** Every column but the wall-clock seconds. */
  static List<String> withoutSeconds(Path metrics) throws IOException {
    return Files.readAllLines(metrics).stream()
        .map(l -> l.substring(0, l.lastIndexOf(','))).collect(Collectors.toList());
  }

  @Test
  void resumedRunGivesTheSameBytesAsAnUninterruptedOne() throws IOException {
    Path whole = tmp.resolve("whole");
    assertEquals(0, train(whole).code());

    Path resumed = tmp.resolve("resumed");
    // stop at step 3, between saves (rows for steps 0 and 2 are saved, step 3's metrics written)
    Fixtures.Result stopped = train(resumed, "--stop-after", "3");
    assertEquals(0, stopped.code(), stopped.toString());
    assertFalse(Files.exists(resumed.resolve("trajectory.npy")), "no final file before the end");
    assertTrue(Files.exists(resumed.resolve("checkpoint.json")));
    // a kill can leave bytes after what the checkpoint recorded: they must be dropped
    Files.write(resumed.resolve("trajectory.npy.partial"), new byte[100], StandardOpenOption.APPEND);
    Files.writeString(resumed.resolve("metrics.csv.partial"), "99,garbage", StandardOpenOption.APPEND);

    Fixtures.Result r = train(resumed);
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Resuming") && r.out().contains("from step 2"), r.toString());
    assertArrayEquals(Files.readAllBytes(whole.resolve("trajectory.npy")),
        Files.readAllBytes(resumed.resolve("trajectory.npy")), "trajectory bytes");
    assertEquals(withoutSeconds(whole.resolve("metrics.csv")),
        withoutSeconds(resumed.resolve("metrics.csv")), "metrics");
    assertFalse(Files.exists(resumed.resolve("checkpoint.json")));
  }

  @Test
  void resumesAfterARealKill() throws Exception {
    // A separate JVM trains and is killed (SIGKILL: no shutdown hooks, no cleanup) as soon as a
    // few steps are checkpointed; the resumed run must match an uninterrupted one exactly.
    List<String> options = List.of("--data", data.toString(), "--k", "12", "--hidden", "3",
        "--steps", "300", "--lr", "0.5", "--seed", "7", "--init-std", "0.3", "--quiet");
    Path killed = tmp.resolve("killed");
    List<String> args = new java.util.ArrayList<>(List.of("train", "--out", killed.toString()));
    args.addAll(options);
    List<String> command = Fixtures.javaCommand(List.of(), MnistApp.class, args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("child.log").toFile()).start();
    Path checkpoint = killed.resolve("checkpoint.json");
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (process.isAlive() && System.nanoTime() < deadline && checkpointedStep(checkpoint) < 5) {
      Thread.sleep(5);
    }
    boolean killedMidway = process.isAlive();
    process.destroyForcibly().waitFor();
    org.junit.jupiter.api.Assumptions.assumeTrue(killedMidway,
        "the child finished before it could be killed: " + Files.readString(tmp.resolve("child.log")));
    assertFalse(Files.exists(killed.resolve("trajectory.npy")), "killed before the end");

    List<String> resume = new java.util.ArrayList<>(List.of("train", "--out", killed.toString()));
    resume.addAll(options);
    Fixtures.Result r = Fixtures.run(resume.toArray(String[]::new));
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Resuming"), r.toString());
    Path whole = tmp.resolve("whole300");
    List<String> uninterrupted = new java.util.ArrayList<>(List.of("train", "--out", whole.toString()));
    uninterrupted.addAll(options);
    assertEquals(0, Fixtures.run(uninterrupted.toArray(String[]::new)).code());
    assertArrayEquals(Files.readAllBytes(whole.resolve("trajectory.npy")),
        Files.readAllBytes(killed.resolve("trajectory.npy")), "trajectory bytes");
    assertEquals(withoutSeconds(whole.resolve("metrics.csv")),
        withoutSeconds(killed.resolve("metrics.csv")), "metrics");
  }

  /** The step a checkpoint file records, or -1 while there is none. */
  private static int checkpointedStep(Path checkpoint) throws IOException {
    if (!Files.exists(checkpoint)) {
      return -1; // atomic replacement: the file is either absent or complete
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"step\": (\\d+)").matcher(Files.readString(checkpoint));
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  @Test
  void resumeRefusesAnotherConfig() {
    Path out = tmp.resolve("r");
    assertEquals(0, train(out, "--stop-after", "1").code());
    Fixtures.Result r = train(out, "--seed", "8");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("interrupted run with another config"), r.toString());
  }

  @Test
  void startsFromAnInitFileAndChecksItsShape() throws IOException {
    int p = 795 * 3 + 10;
    double[] theta0 = new double[p];
    for (int i = 0; i < p; i++) {
      theta0[i] = Math.sin(i);
    }
    Path init = tmp.resolve("theta0.npy");
    Npy.writeVector(init, theta0);
    Path out = tmp.resolve("init");
    assertEquals(0, train(out, "--init", init.toString()).code());
    try (NpyReader reader = NpyReader.open(out.resolve("trajectory.npy"))) {
      assertArrayEquals(theta0, reader.readRow(0));
    }
    Path wrong = tmp.resolve("wrong.npy");
    Npy.writeVector(wrong, new double[p + 1]);
    Fixtures.Result r = train(tmp.resolve("w"), "--init", wrong.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("wrong.npy") && r.err().contains("(" + (p + 1) + ",)")
        && r.err().contains(p + " entries"), r.toString());
    Path malformed = tmp.resolve("malformed.npy");
    Files.writeString(malformed, "not numpy at all");
    r = train(tmp.resolve("m"), "--init", malformed.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("malformed.npy") && r.err().contains("bad magic"), r.toString());
  }

  @Test
  void badOptionsAndFoldersExitWithTwo() throws IOException {
    Fixtures.Result r = train(tmp.resolve("x"), "--steps", "5");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--steps 5") && r.err().contains("--save-every 2"), r.toString());
    r = train(tmp.resolve("x"), "--lr", "-1");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--lr"), r.toString());
    // an output "folder" under a regular file cannot be created
    Path file = Files.writeString(tmp.resolve("file"), "x");
    r = train(file.resolve("sub"));
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains(file.toString()), r.toString());
  }

  @Test
  void helpShowsDefaults() {
    Fixtures.Result r = Fixtures.run("train", "--help");
    assertEquals(0, r.code());
    String help = r.out().replaceAll("\\s+", " ");
    assertTrue(help.contains("default: 60000") && help.contains("default: 0.1")
        && help.contains("default: 50"), r.out());
  }
}
