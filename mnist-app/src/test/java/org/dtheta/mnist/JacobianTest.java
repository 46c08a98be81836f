package org.dtheta.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.nn.Block;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.io.Npy;
import org.dtheta.nn.io.NpyReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JacobianTest {

  static final int HIDDEN = 2;
  static final int P = 795 * HIDDEN + 10;
  static final double LR = 0.5;

  @TempDir static Path tmp;
  static Path data;
  static Path run;
  static UpdateMap map;
  static double[] theta4;

  @BeforeAll
  static void trainOnce() throws IOException {
    data = Fixtures.mnist(tmp.resolve("mnist"), false);
    run = tmp.resolve("run");
    Fixtures.Result r = Fixtures.run("train", "--data", data.toString(), "--k", "12", "--hidden",
        "" + HIDDEN, "--steps", "4", "--save-every", "2", "--lr", "" + LR, "--init-std", "0.5",
        "--quiet", "--out", run.toString());
    assertEquals(0, r.code(), r.toString());
    TwoLayerNet net = new TwoLayerNet(TrainConfig.network(HIDDEN, LR), Mnist.load(data, 12).train());
    map = new UpdateMap(net);
    try (NpyReader reader = NpyReader.open(run.resolve("trajectory.npy"))) {
      theta4 = reader.readRow(2);
    }
  }

  private static Fixtures.Result jacobian(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "jacobian";
    all[1] = "--quiet";
    all[2] = "--data=" + data;
    System.arraycopy(args, 0, all, 3, args.length);
    return Fixtures.run(all);
  }

  private static void assertClose(double[] expected, double[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + " length");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tol * (1 + Math.abs(expected[i])), what + " entry " + i);
    }
  }

  @Test
  void wholeMatrixByBothMethodsMatchesTheUpdateMap() throws IOException {
    double[] dense = map.dense(theta4);
    for (String method : new String[] {"hvp", "structured"}) {
      Path out = tmp.resolve("whole-" + method + ".npy");
      Fixtures.Result r = jacobian("--run", run.toString(), "--step", "4", "--method", method,
          "--panel-rows", "300", "--out", out.toString());
      assertEquals(0, r.code(), r.toString());
      assertTrue(r.out().contains("Computed Df at step 4"), r.toString());
      try (NpyReader reader = NpyReader.open(out)) {
        assertArrayEquals(new long[] {P, P}, reader.header().shape());
        double[] df = reader.readAll();
        assertClose(dense, df, 1e-11, method);
        for (int i = 0; i < P; i += 37) {
          for (int j = 0; j < P; j += 41) {
            assertEquals(df[i * P + j], df[j * P + i], 1e-12, "symmetry " + i + "," + j);
          }
        }
      }
    }
  }

  @Test
  void verifyComparesSampledRowsWithHessianVectorProductsAndCatchesAWrongEntry() throws IOException {
    Path out = tmp.resolve("verified.npy");
    Fixtures.Result r = jacobian("--run", run.toString(), "--step", "4", "--method", "structured",
        "--verify", "5", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Checked 5 sampled rows") && r.out().contains("ok"), r.toString());

    // A file that is wrong in one Hessian entry of a sampled row (and, for symmetry, nowhere
    // else) must fail the check.
    int[] rows = JacobianCheck.sampleRows(map.net().layout(), 5, 1);
    double[] df = map.dense(theta4);
    int i = rows[2];
    int j = (i + 7) % P;
    df[i * P + j] += 1e-6 * Math.abs(df[i * P + j] - (i == j ? 1 : 0)) + 1e-12;
    Path wrong = tmp.resolve("wrong.npy");
    Npy.writeMatrix(wrong, df, P, P);
    try (NpyReader reader = NpyReader.open(wrong)) {
      JacobianCheck.Result result = JacobianCheck.check(map, theta4, reader, rows);
      assertFalse(result.passed(), result.toString());
    }
    try (NpyReader reader = NpyReader.open(out)) {
      assertTrue(JacobianCheck.check(map, theta4, reader, rows).passed());
    }
  }

  @Test
  void blocksMatchTheUpdateMapAndGetAHeatMap() throws IOException {
    for (String method : new String[] {"hvp", "structured"}) {
      for (String spec : new String[] {"W2,b2", "b1,b1", "W1,W2"}) {
        Path out = tmp.resolve("block-" + method + "-" + spec.replace(',', '_') + ".npy");
        Fixtures.Result r = jacobian("--run", run.toString(), "--step", "4", "--block", spec,
            "--method", method, "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        String[] names = spec.split(",");
        Block row = Block.parse(names[0]);
        Block col = Block.parse(names[1]);
        int rows = map.net().layout().length(row);
        int cols = map.net().layout().length(col);
        assertClose(map.block(theta4, row, col), Npy.readMatrix(out, rows, cols, "block"), 1e-11,
            spec + " by " + method);
        byte[] png = Files.readAllBytes(JacobianCommand.siblingPng(out));
        assertEquals('P', png[1]);
      }
    }
  }

  @Test
  void productsMatchTheUpdateMapAndFiniteDifferences() throws IOException {
    Random random = new Random(5);
    double[] v = new double[P * 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = random.nextGaussian();
    }
    Path vFile = tmp.resolve("v.npy");
    Npy.writeMatrix(vFile, v, P, 3);
    Path out = tmp.resolve("dfv.npy");
    Fixtures.Result r = jacobian("--run", run.toString(), "--step", "4", "--times", vFile.toString(),
        "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    double[] dfv = Npy.readMatrix(out, P, 3, "product");
    double[] expected = new double[P * 3];
    map.jacobianTimes(theta4, v, 3, expected);
    assertClose(expected, dfv, 1e-12, "Df V");
    // independent oracle: central differences of the update map f along column 0
    double h = 1e-5;
    double[] plus = theta4.clone();
    double[] minus = theta4.clone();
    for (int i = 0; i < P; i++) {
      plus[i] += h * v[i * 3];
      minus[i] -= h * v[i * 3];
    }
    double[] fPlus = new double[P];
    double[] fMinus = new double[P];
    map.apply(plus, fPlus);
    map.apply(minus, fMinus);
    for (int i = 0; i < P; i++) {
      assertEquals((fPlus[i] - fMinus[i]) / (2 * h), dfv[i * 3], 1e-6, "finite difference " + i);
    }
    // a single vector (P,) gives a single vector back
    Path single = tmp.resolve("v1.npy");
    double[] v1 = new double[P];
    for (int i = 0; i < P; i++) {
      v1[i] = v[i * 3 + 1];
    }
    Npy.writeVector(single, v1);
    Path out1 = tmp.resolve("dfv1.npy");
    assertEquals(0, jacobian("--run", run.toString(), "--step", "4", "--times", single.toString(),
        "--out", out1.toString()).code());
    assertArrayEquals(new long[] {P}, Npy.header(out1).shape());
    double[] d1 = Npy.read(out1);
    for (int i = 0; i < P; i++) {
      assertEquals(expected[i * 3 + 1], d1[i], 1e-12 * (1 + Math.abs(d1[i])));
    }
  }

  @Test
  void thetaFileGivesTheSameAsTheRun() throws IOException {
    Path thetaFile = tmp.resolve("theta4.npy");
    Npy.writeVector(thetaFile, theta4);
    Path out = tmp.resolve("from-theta.npy");
    Fixtures.Result r = jacobian("--theta", thetaFile.toString(), "--k", "12", "--lr", "" + LR,
        "--block", "W2,W2", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    assertClose(map.block(theta4, Block.W2, Block.W2), Npy.read(out), 1e-11, "W2,W2 from --theta");
  }

  @Test
  void badInputsExitWithTwoAndNameTheProblem() throws IOException {
    Path out = tmp.resolve("bad.npy");
    Fixtures.Result r = jacobian("--run", run.toString(), "--step", "3", "--out", out.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--step 3") && r.err().contains("trajectory.npy")
        && r.err().contains("every 2"), r.toString());
    r = jacobian("--run", run.toString(), "--step", "6", "--out", out.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--step 6") && r.err().contains("0, 2, ..., 4"), r.toString());

    Path wrongV = tmp.resolve("wrongV.npy");
    Npy.writeMatrix(wrongV, new double[(P - 1) * 2], P - 1, 2);
    r = jacobian("--run", run.toString(), "--step", "0", "--times", wrongV.toString(), "--out",
        out.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("wrongV.npy") && r.err().contains("(" + (P - 1) + ", 2)"), r.toString());

    Path shortTheta = tmp.resolve("short.npy");
    Npy.writeVector(shortTheta, new double[P - 1]);
    r = jacobian("--theta", shortTheta.toString(), "--k", "12", "--out", out.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("short.npy") && r.err().contains("784-H-10"), r.toString());

    r = jacobian("--run", run.toString(), "--step", "0", "--block", "W3,b2", "--out", out.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("W3"), r.toString());

    Path file = Files.writeString(tmp.resolve("plainfile"), "x");
    r = jacobian("--run", run.toString(), "--step", "0", "--out", file.resolve("df.npy").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains(file.toString()), r.toString());

    // a corrupt trajectory is named
    Path broken = tmp.resolve("broken-run");
    Files.createDirectories(broken);
    for (String f : new String[] {"run.json", "metrics.csv"}) {
      Files.copy(run.resolve(f), broken.resolve(f));
    }
    byte[] traj = Files.readAllBytes(run.resolve("trajectory.npy"));
    Files.write(broken.resolve("trajectory.npy"), java.util.Arrays.copyOf(traj, traj.length - 8));
    r = jacobian("--run", broken.toString(), "--step", "0", "--out", out.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("trajectory.npy") && r.err().contains("truncated"), r.toString());
    assertFalse(Files.exists(out), "nothing written on bad input");
  }
}
