package org.dtheta.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.nn.Activation;
import org.dtheta.nn.Mlp;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.io.Npy;
import org.dtheta.nn.io.NpyReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line at depth 3: a 784-8-6-10 tanh net (P = 6404) trained, resumed, analysed by
 * jacobian (--times, --block), spectrum, lyapunov and the demo; the whole Df (and --verify) on
 * a 784-2-3-10 tanh net (P = 1619) against {@link UpdateMap#dense}; bad input; old run.json.
 */
class DepthTest {

  static final int[] SIZES = {784, 8, 6, 10};
  static final int P = 784 * 8 + 8 + 8 * 6 + 6 + 6 * 10 + 10;
  static final double LR = 0.5;

  @TempDir static Path tmp;
  static Path data;
  static Path run;
  static UpdateMap map;
  static Mlp mlp;
  static double[][] rows;

  static String[] train(Path out, String hidden, String... extra) {
    List<String> base = List.of("train", "--data", data.toString(), "--k", "12", "--hidden", hidden,
        "--activation", "tanh", "--steps", "4", "--save-every", "2", "--lr", "" + LR,
        "--seed", "3", "--init-std", "0.3", "--quiet", "--out", out.toString());
    String[] all = Arrays.copyOf(base.toArray(String[]::new), base.size() + extra.length);
    System.arraycopy(extra, 0, all, base.size(), extra.length);
    return all;
  }

  @BeforeAll
  static void trainWithAnInterruption() throws IOException {
    data = Fixtures.mnist(tmp.resolve("mnist"), false);
    run = tmp.resolve("run");
    Fixtures.Result stopped = Fixtures.run(train(run, "8,6", "--stop-after", "2"));
    assertEquals(0, stopped.code(), stopped.toString());
    assertTrue(Files.exists(run.resolve("checkpoint.json")), stopped.toString());
    Fixtures.Result resumed = Fixtures.run(train(run, "8,6"));
    assertEquals(0, resumed.code(), resumed.toString());
    assertTrue(resumed.out().contains("Resuming"), resumed.toString());
    assertTrue(resumed.out().contains("784-8-6-10 tanh"), resumed.toString());
    Mnist mnist = Mnist.load(data, 12);
    mlp = new Mlp(SIZES, Activation.TANH, 0.0, mnist.train());
    map = UpdateMap.of(mlp, LR);
    try (NpyReader r = NpyReader.open(run.resolve("trajectory.npy"))) {
      assertArrayEquals(new long[] {3, P}, r.header().shape());
      rows = new double[3][];
      for (int i = 0; i < 3; i++) {
        rows[i] = r.readRow(i);
      }
    }
  }

  @Test
  void trainingIsTrainerOnTheMlpAndRunJsonRecordsTheArchitecture() throws IOException {
    double[] theta = rows[0].clone();
    Mnist mnist = Mnist.load(data, 12);
    Metrics m = Metrics.read(run.resolve("metrics.csv"));
    for (int t = 0; t <= 4; t++) {
      if (t % 2 == 0) {
        assertArrayEquals(theta, rows[t / 2], "trajectory row of step " + t);
        assertEquals(mlp.accuracy(theta, mnist.test()), m.testAccuracy()[t], "test accuracy " + t);
        assertEquals(mlp.accuracy(theta, mnist.train()), m.trainAccuracy()[t], "train accuracy " + t);
      }
      double loss = t < 4 ? map.apply(theta, theta) : mlp.loss(theta);
      assertEquals(loss, m.loss()[t], "loss of step " + t);
    }
    // the weights start ~ N(0, 0.3^2), the biases at 0
    assertEquals(0.0, rows[0][mlp.layout().biasOffset(2)]);
    assertTrue(rows[0][0] != 0.0);
    JsonObject config = Json.readObject(run.resolve("run.json")).getAsJsonObject("config");
    assertEquals("[8,6]", config.get("hidden").toString());
    assertEquals("tanh", config.get("activation").getAsString());
    assertEquals(new Architecture(List.of(8, 6), Activation.TANH), new RunDir(run).config().architecture());
  }

  @Test
  void jacobianTimesAndBlocksAgreeWithTheUpdateMap() throws IOException {
    int m = 3;
    double[] v = new double[P * m];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.sin(i * 0.37);
    }
    Path vFile = tmp.resolve("v.npy");
    Npy.writeMatrix(vFile, v, P, m);
    Path product = tmp.resolve("dfv.npy");
    Fixtures.Result r = Fixtures.run("jacobian", "--run", run.toString(), "--step", "4",
        "--times", vFile.toString(), "--quiet", "--out", product.toString());
    assertEquals(0, r.code(), r.toString());
    double[] expected = new double[P * m];
    map.jacobianTimes(rows[2], v, m, expected);
    assertArrayEquals(expected, Npy.read(product), 1e-12);

    // block (W3, b2): rows of W3, columns of b2, against Df e_j for the six columns of b2
    Path block = tmp.resolve("w3b2.npy");
    r = Fixtures.run("jacobian", "--run", run.toString(), "--step", "4", "--block", "W3,b2",
        "--quiet", "--out", block.toString());
    assertEquals(0, r.code(), r.toString());
    Mlp.Layout layout = mlp.layout();
    int r0 = layout.weightOffset(3);
    int rowsOfW3 = layout.weightLength(3);
    int c0 = layout.biasOffset(2);
    double[] units = new double[P * 6];
    for (int j = 0; j < 6; j++) {
      units[(c0 + j) * 6 + j] = 1.0;
    }
    double[] columns = new double[P * 6];
    map.jacobianTimes(rows[2], units, 6, columns);
    double[] got = Npy.read(block);
    assertEquals(rowsOfW3 * 6, got.length);
    for (int i = 0; i < rowsOfW3; i++) {
      for (int j = 0; j < 6; j++) {
        assertEquals(columns[(r0 + i) * 6 + j], got[i * 6 + j], 1e-12, "(" + i + ", " + j + ")");
      }
    }
    assertTrue(Files.size(tmp.resolve("w3b2.png")) > 0);

    // Gauss-Newton on a block, and names beyond the net or structured at depth: exit 2
    r = Fixtures.run("jacobian", "--run", run.toString(), "--step", "4", "--block", "b3,b3",
        "--gauss-newton", "--quiet", "--out", tmp.resolve("gn.npy").toString());
    assertEquals(0, r.code(), r.toString());
    r = Fixtures.run("jacobian", "--run", run.toString(), "--step", "4", "--block", "W4,b1",
        "--quiet", "--out", tmp.resolve("w4.npy").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--block") && r.err().contains("W4"), r.toString());
    r = Fixtures.run("jacobian", "--run", run.toString(), "--step", "4", "--method", "structured",
        "--quiet", "--out", tmp.resolve("s.npy").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--method structured works for one hidden layer only")
        && r.err().contains("hvp"), r.toString());
  }

  @Test
  void wholeDfAtDepthIsTheDenseUpdateJacobianAndVerifies() throws IOException {
    Path small = tmp.resolve("small");
    Fixtures.Result r = Fixtures.run(train(small, "2,3"));
    assertEquals(0, r.code(), r.toString());
    Path df = tmp.resolve("df.npy");
    r = Fixtures.run("jacobian", "--run", small.toString(), "--step", "4", "--verify", "8",
        "--quiet", "--out", df.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("ok"), r.toString());
    Mlp small3 = new Mlp(new int[] {784, 2, 3, 10}, Activation.TANH, 0.0, Mnist.load(data, 12).train());
    UpdateMap smallMap = UpdateMap.of(small3, LR);
    double[] theta;
    try (NpyReader t = NpyReader.open(small.resolve("trajectory.npy"))) {
      theta = t.readRow(2);
    }
    assertArrayEquals(smallMap.dense(theta), Npy.read(df), 1e-12);
    // the same from --theta with --hidden and --activation; without --hidden a clear error
    Path thetaFile = tmp.resolve("theta.npy");
    Npy.writeVector(thetaFile, theta);
    Path df2 = tmp.resolve("df2.npy");
    r = Fixtures.run("jacobian", "--theta", thetaFile.toString(), "--hidden", "2,3", "--activation",
        "tanh", "--k", "12", "--lr", "" + LR, "--data", data.toString(), "--quiet",
        "--out", df2.toString());
    assertEquals(0, r.code(), r.toString());
    assertArrayEquals(Npy.read(df), Npy.read(df2));
    r = Fixtures.run("jacobian", "--theta", thetaFile.toString(), "--k", "12", "--data",
        data.toString(), "--quiet", "--out", tmp.resolve("df3.npy").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--hidden"), r.toString());
  }

  @Test
  void spectrumAndLyapunovRunAtDepth() throws IOException {
    Path out = tmp.resolve("analysis");
    Fixtures.Result r = Fixtures.run("spectrum", "--run", run.toString(), "--steps", "0,4",
        "--top", "2", "--bottom", "1", "--quiet", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals(3, Files.readAllLines(out.resolve("sharpness.csv")).size());
    r = Fixtures.run("lyapunov", "--run", run.toString(), "--m", "2", "--quiet", "--out",
        out.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals(3, Files.readAllLines(out.resolve("lyapunov.csv")).size());
  }

  @Test
  void demoAtDepth() throws IOException {
    Path out = tmp.resolve("demo");
    Fixtures.Result r = Fixtures.run("demo", "--data", data.toString(), "--k", "12", "--hidden",
        "8,6", "--activation", "tanh", "--steps", "2", "--save-every", "2", "--jacobian", "W3,b3",
        "--spectrum-steps", "1", "--top", "1", "--bottom", "1", "--quiet", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    assertArrayEquals(new long[] {60, 10}, Npy.header(out.resolve("jacobian_W3_b3.npy")).shape());
    r = Fixtures.run("demo", "--data", data.toString(), "--k", "12", "--hidden", "8,6",
        "--method", "structured", "--jacobian", "W3,b3", "--quiet", "--out",
        tmp.resolve("demo2").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--method structured"), r.toString());
  }

  @Test
  void badInputExitsTwoNamingTheOption() throws IOException {
    for (String[] bad : new String[][] {{"--hidden", "0,5"}, {"--hidden", "10,,5"},
        {"--hidden", ""}, {"--hidden", "a"}, {"--activation", "foo"}}) {
      Fixtures.Result r = Fixtures.run("train", "--data", data.toString(), "--k", "12", bad[0],
          bad[1], "--steps", "2", "--quiet", "--out", tmp.resolve("bad").toString());
      assertEquals(2, r.code(), Arrays.toString(bad) + r);
      assertTrue(r.err().contains(bad[0]), Arrays.toString(bad) + r);
    }
    Path init = tmp.resolve("init.npy");
    Npy.writeVector(init, new double[795 * 8 + 10]);
    Fixtures.Result r = Fixtures.run("train", "--data", data.toString(), "--k", "12", "--hidden",
        "8,6", "--init", init.toString(), "--steps", "2", "--quiet", "--out",
        tmp.resolve("bad2").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--init") && r.err().contains("784-8-6-10")
        && r.err().contains("" + P), r.toString());
  }

  @Test
  void runsWrittenBeforeDeeperNetsStillLoadAndResume() throws IOException {
    // an interrupted one-layer run whose checkpoint has the old format resumes
    Path old = tmp.resolve("old");
    List<String> base = List.of("train", "--data", data.toString(), "--k", "12", "--hidden", "2",
        "--steps", "4", "--save-every", "2", "--lr", "0.5", "--quiet", "--out", old.toString());
    Fixtures.Result r = Fixtures.run(Fixtures.withOptions(base, "--stop-after", "2"));
    assertEquals(0, r.code(), r.toString());
    oldFormat(old.resolve("checkpoint.json"));
    r = Fixtures.run(base.toArray(String[]::new));
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Resuming"), r.toString());
    Path fresh = tmp.resolve("fresh");
    List<String> again = new java.util.ArrayList<>(base);
    again.set(again.size() - 1, fresh.toString());
    assertEquals(0, Fixtures.run(again.toArray(String[]::new)).code());
    assertArrayEquals(Files.readAllBytes(fresh.resolve("trajectory.npy")),
        Files.readAllBytes(old.resolve("trajectory.npy")));
    // a completed run with an old run.json loads as [2], sigmoid
    oldFormat(old.resolve("run.json"));
    TrainConfig config = new RunDir(old).config();
    assertEquals(List.of(2), config.hidden());
    assertEquals("sigmoid", config.activation());
    assertEquals(new RunDir(fresh).config(), config);
    r = Fixtures.run("jacobian", "--run", old.toString(), "--step", "4", "--block", "W2,b2",
        "--quiet", "--out", tmp.resolve("oldblock.npy").toString());
    assertEquals(0, r.code(), r.toString());
    r = Fixtures.run(base.toArray(String[]::new)); // and is the same run
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("already holds this completed run"), r.toString());
  }

  /** Rewrites the config in {@code file} as runs before deeper nets wrote it. */
  private static void oldFormat(Path file) throws IOException {
    JsonObject o = Json.readObject(file);
    JsonObject config = o.getAsJsonObject("config");
    JsonArray hidden = config.getAsJsonArray("hidden");
    assertEquals(1, hidden.size());
    config.addProperty("hidden", hidden.get(0).getAsInt());
    config.remove("activation");
    Files.writeString(file, Json.GSON.toJson(o));
  }
}
